using System.Diagnostics;
using System.Globalization;
using System.Text;
using ManagedRsync.FileList;

namespace ManagedRsync.DaemonServer;

/// <summary>
/// A module's "name converter" (clientserver.c: start_pre_exec with its output kept, write_pre_exec_args type 2;
/// uidlist.c through namecvt_call): a long-running program that answers "uid N", "gid N", "usr NAME" and "grp NAME"
/// lines with one line each (a name, an id, or an empty line for none), so that a chrooted module need not see the
/// host's account files. It is started before the chroot and the change of user, as the daemon's user; it learns the
/// request as the pre-xfer exec does (RSYNC_REQUEST, RSYNC_ARG#) once the arguments are read: stock's child reads them
/// from the pipe before it runs the command, here a small shell prologue reads them (one line of quoted assignments) and
/// then runs the command with the rest of the pipe as its stdin.
/// </summary>
internal sealed class NameConverter : IAccountNames, IDisposable
{
    /// <summary>uidlist.c: namecvt_call's buffer, for the request and for the answer line.</summary>
    private const int LineLimit = 1024;

    // Reads the one line of assignments, then becomes the command as shell_exec runs it ($RSYNC_SHELL -c, or sh -c).
    private const string Prologue = "__nl='\n'\nIFS= read -r __rsync_args || exit 1\neval \"$__rsync_args\"\nunset __rsync_args __nl\nexec \"$1\" -c \"$2\"";

    private readonly Process _process;
    private readonly Stream _requests;
    private readonly Stream _answers;
    private readonly Action<string> _error;
    private readonly object _gate = new();
    private readonly Dictionary<string, string?> _cache = new(StringComparer.Ordinal);
    private bool _broken;

    private NameConverter(Process process, Action<string> error)
    {
        _process = process;
        _requests = process.StandardInput.BaseStream;
        _answers = process.StandardOutput.BaseStream;
        _error = error;
    }

    /// <summary>
    /// Starts <paramref name="command"/> with the connection's variables; <paramref name="error"/> takes what stock
    /// reports with rprintf(FERROR) (the client and the log).
    /// </summary>
    public static NameConverter Start(string command, IReadOnlyDictionary<string, string> environment, Action<string> error)
    {
        string shell = Environment.GetEnvironmentVariable("RSYNC_SHELL") is { Length: > 0 } s ? s : "/bin/sh";
        var psi = new ProcessStartInfo("/bin/sh")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
        };
        foreach (string arg in new[] { "-c", Prologue, "sh", shell, command })
            psi.ArgumentList.Add(arg);
        foreach ((string key, string value) in environment)
            psi.Environment[key] = value;
        Process process = Process.Start(psi) ?? throw new IOException("could not start /bin/sh");
        return new NameConverter(process, error);
    }

    /// <summary>
    /// clientserver.c: write_pre_exec_args — RSYNC_REQUEST (or "(NONE)") and RSYNC_ARG0.. ("rsyncd", the options, ".",
    /// the paths), as one line of single-quoted assignments the prologue evaluates.
    /// </summary>
    public void SendArguments(string? request, IReadOnlyList<string> argv)
    {
        var line = new StringBuilder("export RSYNC_REQUEST=").Append(Quote(request ?? "(NONE)"));
        line.Append(" RSYNC_ARG0=").Append(Quote("rsyncd"));
        for (int i = 0; i < argv.Count; i++)
            line.Append(" RSYNC_ARG").Append(i + 1).Append('=').Append(Quote(argv[i]));
        line.Append('\n');
        lock (_gate)
        {
            try
            {
                _requests.Write(Encoding.UTF8.GetBytes(line.ToString()));
                _requests.Flush();
            }
            catch (IOException)
            {
                _broken = true;
            }
        }
    }

    // '...' with each ' as '\'' and each newline as the prologue's $__nl (read -r takes one line).
    private static string Quote(string value) =>
        "'" + value.Replace("'", "'\\''", StringComparison.Ordinal).Replace("\n", "'\"$__nl\"'", StringComparison.Ordinal) + "'";

    public string? UserName(int uid) => Call("uid", null, uid);

    public string? GroupName(int gid) => Call("gid", null, gid);

    public int? UserId(string name) => ParseId(Call("usr", name, 0));

    public int? GroupId(string name) => ParseId(Call("grp", name, 0));

    // uidlist.c: an id answer must be all digits, not empty, within id_t (an empty line is "none": atol("") would be
    // root).
    private static int? ParseId(string? answer) =>
        answer is { Length: > 0 } && answer.All(char.IsAsciiDigit)
        && uint.TryParse(answer, NumberStyles.None, CultureInfo.InvariantCulture, out uint id) ? (int)id : null;

    /// <summary>clientserver.c: namecvt_call — one request line, one answer line (null: no answer).</summary>
    private string? Call(string kind, string? name, long id)
    {
        string request = name is null ? $"{kind} {id.ToString(CultureInfo.InvariantCulture)}" : $"{kind} {name}";
        lock (_gate)
        {
            // Each id and name is asked about once (stock keeps each answer in its id lists).
            if (_cache.TryGetValue(request, out string? known))
                return known;
            string? answer = Ask(name, request);
            _cache[request] = answer;
            return answer;
        }
    }

    private string? Ask(string? name, string request)
    {
        // namecvt_safe_token: a name with a control character would split the request line.
        if (name is not null && name.Any(c => c < ' ' || c == '\x7f'))
        {
            _error($"invalid name-converter token: {name}");
            return null;
        }
        byte[] line = Encoding.UTF8.GetBytes(request + "\n");
        if (line.Length >= LineLimit)
            throw new RsyncException(RsyncErrorKind.Unsupported, "namecvt_call() request was too large.");
        if (_broken)
            throw new RsyncException(RsyncErrorKind.Connection, "Connection to name-converter failed.");
        try
        {
            _requests.Write(line);
            _requests.Flush();
        }
        catch (IOException)
        {
            _broken = true;
            throw new RsyncException(RsyncErrorKind.Connection, "Connection to name-converter failed.");
        }
        return ReadAnswer();
    }

    // io.c: read_line_old — a byte at a time up to '\n', '\r' dropped; the end of the output, a NUL, or a line that
    // fills the buffer (1023 bytes) is no answer, the rest of such a line left unread as stock leaves it.
    private string? ReadAnswer()
    {
        var answer = new List<byte>();
        int room = LineLimit - 1;
        while (room > 0)
        {
            int b = _answers.ReadByte();
            if (b is < 0 or 0)
                return null;
            if (b == '\n')
                return Encoding.UTF8.GetString(answer.ToArray());
            if (b != '\r')
            {
                answer.Add((byte)b);
                room--;
            }
        }
        return null;
    }

    /// <summary>Closes its input (stock's converter sees the end when the daemon's process exits) and lets it go.</summary>
    public void Dispose()
    {
        try
        {
            _requests.Dispose();
        }
        catch (IOException)
        {
        }
        _process.Dispose();
    }
}
