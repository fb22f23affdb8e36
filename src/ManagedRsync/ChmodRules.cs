namespace ManagedRsync;

/// <summary>
/// --chmod=RULES (rsync chmod.c: parse_chmod, tweak_mode): comma-separated rules, each optionally limited to
/// directories (D) or files (F), then either who/op/perms ("ug+rwX", "o-w", "g=u", "a+s") or an octal mode ("644").
/// Applied to every entry of the file list but symlinks (flist.c: send_file_name on the sender, recv_file_entry on a
/// receiver), before anything compares or sets modes. Rules without a "who" are limited by the umask read when the
/// option was parsed, as chmod(1) does. Note that rsync reads "u+r-w" as an error: one operator per rule.
/// </summary>
public sealed class ChmodRules
{
    private const int ModeBits = 0xFFF; // rsync.h CHMOD_BITS: S_ISUID | S_ISGID | S_ISVTX | ACCESSPERMS
    private const int DirectoryType = 0x4000;

    private readonly List<Rule> _rules = [];

    private enum Op
    {
        Add,
        Remove,
        Equal,
        Set,
    }

    private readonly record struct Rule(int And, int Or, int CopyFrom, int CopyTo, int CopyMask, Op Op, bool DirsOnly, bool FilesOnly, bool KeepX);

    /// <summary>Whether no rule was added.</summary>
    public bool IsEmpty => _rules.Count == 0;

    /// <summary>
    /// Adds the rules of one --chmod value after those already added. Returns false, adding none of them, when
    /// one is malformed (stock: "Invalid argument passed to --chmod (TEXT)").
    /// </summary>
    /// <param name="text">The option's value.</param>
    /// <param name="umask">The process umask, which limits a rule that names no "who".</param>
    public bool TryAdd(string text, int umask)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parsed = new List<Rule>();
        foreach (string clause in text.Split(','))
        {
            if (ParseClause(clause, umask) is not { } rule)
                return false;
            parsed.Add(rule);
        }
        _rules.AddRange(parsed);
        return true;
    }

    /// <summary>The mode after the rules (chmod.c: tweak_mode); the file-type bits are kept.</summary>
    public int Apply(int mode)
    {
        bool hadExecute = (mode & 0x49) != 0; // 0111
        int type = mode & ~ModeBits;
        bool isDirectory = (type & 0xF000) == DirectoryType;
        foreach (Rule r in _rules)
        {
            if ((r.DirsOnly && !isDirectory) || (r.FilesOnly && isDirectory))
                continue;
            int copied = CopiedBits(mode, r);
            mode &= r.And;
            mode |= r.KeepX && !hadExecute && !isDirectory ? r.Or & ~0x49 : r.Or;
            mode = r.Op == Op.Remove ? mode & (ModeBits - copied) : mode | copied;
        }
        return mode | type;
    }

    // chmod.c: mode_copy_bits — "g=u" and the like: the source class's three bits, spread over the target classes.
    private static int CopiedBits(int mode, Rule r)
    {
        int bits = 0;
        if ((r.CopyFrom & 0x40) != 0)
            bits |= (mode >> 6) & 7;
        if ((r.CopyFrom & 0x8) != 0)
            bits |= (mode >> 3) & 7;
        if ((r.CopyFrom & 0x1) != 0)
            bits |= mode & 7;
        return r.CopyTo * bits & r.CopyMask;
    }

    // One rule: [DF]* then either [ugoa]*[+-=][rwxXst]*|[ugo] or an octal number (no "who" before it).
    private static Rule? ParseClause(string clause, int umask)
    {
        bool dirsOnly = false, filesOnly = false, keepX = false;
        int who = 0, setIdBits = 0, perms = 0, special = 0, copyFrom = 0;
        Op? op = null;
        int i = 0;
        for (; i < clause.Length && op is null; i++)
        {
            char c = clause[i];
            switch (c)
            {
                case 'D' when !filesOnly: dirsOnly = true; break;
                case 'F' when !dirsOnly: filesOnly = true; break;
                case 'u': who |= 0x40; setIdBits |= 0x800; break;
                case 'g': who |= 0x8; setIdBits |= 0x400; break;
                case 'o': who |= 0x1; break;
                case 'a': who |= 0x49; setIdBits |= 0xC00; break; // a+s sets both set-id bits, as chmod(1)
                case '+': op = Op.Add; break;
                case '-': op = Op.Remove; break;
                case '=': op = Op.Equal; break;
                case >= '0' and <= '7' when who == 0:
                    return ParseOctal(clause.AsSpan(i), dirsOnly, filesOnly);
                default:
                    return null;
            }
        }
        if (op is not { } kind)
            return null;
        for (; i < clause.Length; i++)
        {
            char c = clause[i];
            if (copyFrom != 0 || (c is 'u' or 'g' or 'o' && (perms != 0 || special != 0)))
                return null;
            switch (c)
            {
                case 'r': perms |= 4; break;
                case 'w': perms |= 2; break;
                case 'X': keepX = true; perms |= 1; break;
                case 'x': perms |= 1; break;
                case 's': special = setIdBits != 0 ? special | setIdBits : 0x800; break;
                case 't': special |= 0x200; break;
                case 'u': copyFrom = 0x40; break;
                case 'g': copyFrom = 0x8; break;
                case 'o': copyFrom = 0x1; break;
                default: return null;
            }
        }
        int whoGiven = who;
        int bits;
        if (who != 0)
        {
            bits = who * perms;
        }
        else
        {
            who = 0x49;
            bits = who * perms & ~umask;
        }
        int copyMask = whoGiven != 0 ? ModeBits : ~umask;
        return kind switch
        {
            Op.Add => new Rule(ModeBits, bits + special, copyFrom, who, copyMask, kind, dirsOnly, filesOnly, keepX),
            Op.Remove => new Rule(ModeBits - bits - special, 0, copyFrom, who, copyMask, kind, dirsOnly, filesOnly, keepX),
            _ => new Rule(ModeBits - who * 7 - (special != 0 ? setIdBits : 0) - (copyFrom != 0 ? SpecialBitsOf(who) : 0),
                bits + special, copyFrom, who, copyMask, kind, dirsOnly, filesOnly, keepX),
        };
    }

    // chmod.c: mode_dest_special_bits — "g=u" also clears the target classes' set-id and sticky bits.
    private static int SpecialBitsOf(int who) =>
        ((who & 0x40) != 0 ? 0x800 : 0) | ((who & 0x8) != 0 ? 0x400 : 0) | ((who & 0x1) != 0 ? 0x200 : 0);

    private static Rule? ParseOctal(ReadOnlySpan<char> digits, bool dirsOnly, bool filesOnly)
    {
        int mode = 0;
        foreach (char c in digits)
        {
            if (c is < '0' or > '7')
                return null;
            mode = mode * 8 + (c - '0');
            if (mode > ModeBits)
                return null;
        }
        return new Rule(0, mode, 0, 0, ModeBits, Op.Set, dirsOnly, filesOnly, false);
    }
}
