namespace ManagedRsync.Watch;

/// <summary>
/// inotifywait's event names: the lower-case words of <c>-e</c> and the upper-case list of <c>%e</c>, in the order
/// inotify-tools prints them (bit order, with the CLOSE pseudo-event after IN_IGNORED and before MOVE_SELF, as
/// inotifytools_event_to_str does; seen from inotifywait 3.22: "CLOSE_NOWRITE,CLOSE,ISDIR").
/// </summary>
public static class InotifyEventNames
{
    private static readonly (InotifyMask Bit, string Name)[] PrintOrder =
    [
        (InotifyMask.IN_ACCESS, "ACCESS"),
        (InotifyMask.IN_MODIFY, "MODIFY"),
        (InotifyMask.IN_ATTRIB, "ATTRIB"),
        (InotifyMask.IN_CLOSE_WRITE, "CLOSE_WRITE"),
        (InotifyMask.IN_CLOSE_NOWRITE, "CLOSE_NOWRITE"),
        (InotifyMask.IN_OPEN, "OPEN"),
        (InotifyMask.IN_MOVED_FROM, "MOVED_FROM"),
        (InotifyMask.IN_MOVED_TO, "MOVED_TO"),
        (InotifyMask.IN_CREATE, "CREATE"),
        (InotifyMask.IN_DELETE, "DELETE"),
        (InotifyMask.IN_DELETE_SELF, "DELETE_SELF"),
        (InotifyMask.IN_UNMOUNT, "UNMOUNT"),
        (InotifyMask.IN_Q_OVERFLOW, "Q_OVERFLOW"),
        (InotifyMask.IN_IGNORED, "IGNORED"),
        (InotifyMask.IN_CLOSE, "CLOSE"),
        (InotifyMask.IN_MOVE_SELF, "MOVE_SELF"),
        (InotifyMask.IN_ISDIR, "ISDIR"),
        (InotifyMask.IN_ONESHOT, "ONESHOT"),
    ];

    /// <summary>The words <c>-e</c> accepts (inotifywait(1) EVENTS), including the combined close, move and all_events.</summary>
    public static bool TryParse(string word, out InotifyMask mask)
    {
        mask = word.ToUpperInvariant() switch
        {
            "ACCESS" => InotifyMask.IN_ACCESS,
            "MODIFY" => InotifyMask.IN_MODIFY,
            "ATTRIB" => InotifyMask.IN_ATTRIB,
            "CLOSE_WRITE" => InotifyMask.IN_CLOSE_WRITE,
            "CLOSE_NOWRITE" => InotifyMask.IN_CLOSE_NOWRITE,
            "CLOSE" => InotifyMask.IN_CLOSE,
            "OPEN" => InotifyMask.IN_OPEN,
            "MOVED_TO" => InotifyMask.IN_MOVED_TO,
            "MOVED_FROM" => InotifyMask.IN_MOVED_FROM,
            "MOVE" => InotifyMask.IN_MOVE,
            "MOVE_SELF" => InotifyMask.IN_MOVE_SELF,
            "CREATE" => InotifyMask.IN_CREATE,
            "DELETE" => InotifyMask.IN_DELETE,
            "DELETE_SELF" => InotifyMask.IN_DELETE_SELF,
            "UNMOUNT" => InotifyMask.IN_UNMOUNT,
            "ALL_EVENTS" => InotifyMask.IN_ALL_EVENTS,
            _ => InotifyMask.None,
        };
        return mask != InotifyMask.None;
    }

    /// <summary>Appends the names of the set bits, separated by <paramref name="separator"/> (%e uses ',').</summary>
    public static void Append(System.Text.StringBuilder sb, InotifyMask mask, char separator)
    {
        bool first = true;
        foreach ((InotifyMask bit, string name) in PrintOrder)
        {
            if ((mask & bit) == 0)
                continue;
            if (!first)
                sb.Append(separator);
            sb.Append(name);
            first = false;
        }
    }

    /// <summary>The event names of <paramref name="mask"/> as inotifywait prints them, joined by <paramref name="separator"/>.</summary>
    public static string ToString(InotifyMask mask, char separator = ',')
    {
        var sb = new System.Text.StringBuilder();
        Append(sb, mask, separator);
        return sb.ToString();
    }
}
