namespace ManagedRsync.Cli.Output;

/// <summary>
/// log.c: output_needs_newline — a progress line left without its newline (the one rewritten in place, and every line
/// of --info=progress2) is ended by a newline on the stream the next message goes to (rwrite), or on stdout when
/// the run ends (cleanup.c: _exit_cleanup). Shared by the run's stdout and stderr writers.
/// </summary>
internal sealed class OwedNewline
{
    private readonly TextWriter _stdout;

    public OwedNewline(TextWriter stdout) => _stdout = stdout;

    public bool Owed { get; set; }

    /// <summary>cleanup.c: _exit_cleanup — the newline still owed goes to stdout.</summary>
    public void Settle()
    {
        if (!Owed)
            return;
        Owed = false;
        _stdout.Write('\n');
        _stdout.Flush();
    }
}

/// <summary>A writer that first pays the newline a progress line owes (log.c: rwrite).</summary>
internal sealed class NewlineFirstWriter(TextWriter inner, OwedNewline owed) : TextWriter
{
    public override System.Text.Encoding Encoding => inner.Encoding;

    public override IFormatProvider FormatProvider => inner.FormatProvider;

    private void Pay()
    {
        if (!owed.Owed)
            return;
        owed.Owed = false;
        inner.Write('\n');
    }

    public override void Write(char value)
    {
        Pay();
        inner.Write(value);
    }

    public override void Write(string? value)
    {
        Pay();
        inner.Write(value);
    }

    public override void Write(char[] buffer, int index, int count)
    {
        Pay();
        inner.Write(buffer, index, count);
    }

    public override void WriteLine(string? value)
    {
        Pay();
        inner.WriteLine(value);
    }

    public override void WriteLine()
    {
        Pay();
        inner.WriteLine();
    }

    public override void Flush() => inner.Flush();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            inner.Flush();
        base.Dispose(disposing);
    }
}
