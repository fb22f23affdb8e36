namespace ManagedRsync.Platform;

/// <summary>
/// rsync flist.c: get_device_size — how far lseek(SEEK_END) goes on an open device (a block device's size; 0 for a
/// character device such as /dev/zero), the offset put back at 0 after. A seek that fails counts as 0 (stock says
/// "failed to get device size via seek" and goes on with 0).
/// </summary>
internal static class DeviceSize
{
    private const int SeekEnd = 2;

    public static long Of(int fd)
    {
        long end = Interop.LSeek(fd, 0, SeekEnd);
        if (end < 0)
            return 0;
        Interop.LSeek(fd, 0, Interop.SEEK_SET);
        return end;
    }
}
