namespace ManagedRsync.Cli.Options;

/// <summary>
/// --stop-after=MINS (--time-limit) and --stop-at=y-m-dTh:m: the moment, in whole seconds since the epoch, at which the
/// client ends its run (rsync options.c: OPT_STOP_AFTER, OPT_STOP_AT and parse_time set stop_at_utime; io.c:
/// perform_io stops there). Only the client keeps it: options.c server_options sends neither.
/// </summary>
internal static class StopTime
{
    /// <summary>
    /// options.c OPT_STOP_AFTER: now plus atol(MINS) minutes; the product must be positive and must not pass the end
    /// of time_t ("invalid --stop-after value: MINS").
    /// </summary>
    public static long AfterMinutes(string arg, long now)
    {
        long seconds = unchecked(CInteger.Atol(arg) * 60);
        if (seconds <= 0 || long.MaxValue - seconds < now)
            throw new OptionException($"invalid --stop-after value: {arg}");
        return now + seconds;
    }

    /// <summary>
    /// options.c OPT_STOP_AT: the time parse_time makes of the argument, which must lie ahead ("invalid --stop-at
    /// format: ARG", "--stop-at time is not in the future: ARG").
    /// </summary>
    public static long At(string arg, long now, TimeZoneInfo zone)
    {
        long at = Parse(arg, now, zone) ?? throw new OptionException($"invalid --stop-at format: {arg}");
        if (at <= now)
            throw new OptionException($"--stop-at time is not in the future: {arg}");
        return at;
    }

    // options.c parse_time. Up to three date numbers (year, month, day; '-' or '/' between them; the last one given is
    // the day) and up to two time numbers (hour:minute, or ":minute" alone), a 'T' between date and time; a leading
    // 'T' says only a time follows and ':' only a minute. What is left out is taken from now, midnight for a missing
    // time; a missing part of the date then moves on (day, month or year, the least one left out) until the moment lies
    // ahead, and a missing hour moves on by hours. Local time, as mktime reads it. Null when the text is not such a time.
    private static long? Parse(string arg, long now, TimeZoneInfo zone)
    {
        int year = -1, month = -1, day = -1, hour = -1, minute = -1;
        int pos = 0;
        // 1: reading the date; 0: reading the time after a ':'; -1: after a 'T', where a ':' must still come.
        int part = 1;
        if (pos < arg.Length && arg[pos] is 'T' or 't' or ':')
            part = arg[pos++] == ':' ? 0 : -1;
        while (true)
        {
            if (pos == arg.Length || !char.IsAsciiDigit(arg[pos]))
                return null;
            int n = 0;
            while (pos < arg.Length && char.IsAsciiDigit(arg[pos]))
                n = unchecked(n * 10 + (arg[pos++] - '0'));
            char next = pos < arg.Length ? arg[pos] : '\0';
            if (next == ':')
                part = 0;
            if (part > 0)
            {
                if (year != -1)
                    return null;
                (year, month, day) = (month, day, n);
                if (next == '\0' || (next is 'T' or 't' && pos + 1 == arg.Length))
                    break;
                if (next is 'T' or 't')
                    part = -1;
                else if (next is not ('-' or '/'))
                    return null;
                pos++;
                continue;
            }
            if (hour != -1)
                return null;
            (hour, minute) = (minute, n);
            if (next == '\0')
            {
                if (part < 0)
                    return null;
                break;
            }
            if (next != ':')
                return null;
            part = 0;
            pos++;
        }

        DateTime today = TimeZoneInfo.ConvertTimeFromUtc(DateTime.UnixEpoch.AddSeconds(now), zone);
        // struct tm's fields: years since 1900, months from 0. Which part of the date was left out, the least one wins.
        int leftOut = 0;
        if (year < 0)
        {
            year = today.Year - 1900;
            leftOut = 1;
        }
        else if (year < 100)
        {
            while (year < today.Year - 1900)
                year += 100;
        }
        else
        {
            year -= 1900;
        }
        if (month < 0)
        {
            month = today.Month - 1;
            leftOut = 2;
        }
        else
        {
            month--;
        }
        if (day < 0)
        {
            day = today.Day;
            leftOut = 3;
        }
        long step = 0;
        if (minute < 0)
        {
            hour = minute = 0;
        }
        else if (hour < 0)
        {
            // ":MM" alone: this hour's minute, or the next hour's.
            if (leftOut != 3)
                return null;
            leftOut = 0;
            hour = today.Hour;
            step = 60 * 60;
        }
        int firstDay = day;
        if (hour > 23 || minute > 59 || month < 0 || month >= 12 || day < 1 || day > 31)
            return null;
        long at = MakeTime(ref year, ref month, ref day, hour, minute, zone);
        // A day past the month's end rolled into the next month (mktime); the loop undoes that as parse_time does.
        while (leftOut != 0 && (at <= now || day < firstDay))
        {
            switch (leftOut)
            {
                case 3:
                    firstDay = ++day;
                    break;
                case 2:
                    if (day < firstDay)
                        day = firstDay;
                    else if (++month == 12)
                        (month, year) = (0, year + 1);
                    break;
                default:
                    if (day < firstDay)
                    {
                        // Only 29 February, met in a year without one, waits for the next year that has it.
                        if (month != 2 || firstDay != 29)
                            return null;
                        (month, day) = (1, 29);
                    }
                    year++;
                    break;
            }
            at = MakeTime(ref year, ref month, ref day, hour, minute, zone);
        }
        if (step != 0)
        {
            while (at <= now)
                at += step;
        }
        return at;
    }

    // mktime: the local time the fields name, with a month past December or a day past the month's end carried into
    // the next month and year, and the fields set to what they now name. A year past DateTime's is "never".
    private static long MakeTime(ref int year, ref int month, ref int day, int hour, int minute, TimeZoneInfo zone)
    {
        long months = (long)(year + 1900) * 12 + month;
        if (months < 12 || months >= 10_000L * 12 - 1)
            return months < 12 ? long.MinValue : long.MaxValue;
        DateTime local = new DateTime((int)(months / 12), (int)(months % 12) + 1, 1, 0, 0, 0, DateTimeKind.Unspecified)
            .AddDays(day - 1).AddHours(hour).AddMinutes(minute);
        (year, month, day) = (local.Year - 1900, local.Month - 1, local.Day);
        // A local time skipped by a daylight-saving change: mktime moves on past the gap.
        if (zone.IsInvalidTime(local))
            local = local.AddHours(1);
        return (long)(TimeZoneInfo.ConvertTimeToUtc(local, zone) - DateTime.UnixEpoch).TotalSeconds;
    }
}
