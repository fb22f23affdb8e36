using System.Runtime.InteropServices;
using System.Text;
using ManagedRsync.Platform;
using ManagedRsync.Roles.Receiving;

namespace ManagedRsync.Server;

/// <summary>
/// The directories a client names in options to a daemon module it pushes into (--backup-dir, --compare-dest,
/// --copy-dest, --link-dest), as stock's daemon takes them with sanitize_paths on: an absolute one is beneath the
/// module ("/" is the module's path, util1.c: sanitize_path with rootdir module_dir); a relative one is from the
/// receiving directory, its ".." collapsed and never above where it starts, except that a basis directory may lead
/// with as many ".." as the receiving directory is deep in the module (main.c: do_server_recv passes curr_dir_depth;
/// the backup directory gets depth 0, options.c: parse_arguments). Then every component that exists must lead to a
/// directory beneath the module, a symlink followed only while it stays inside (the walk
/// <see cref="ServerPaths.CheckBeneath"/> does for every path a daemon client names); a backup directory through a
/// link that leads out ends the transfer with ELOOP, a basis directory through one is never looked in.
/// A module's own filter rules also apply: an excluded backup directory is refused as stock's options.c refuses it
/// ("rsync: Your options have been rejected by the server.", exit 4), an excluded basis directory as main.c does
/// (the same words without "rsync: ", exit 1).
/// </summary>
internal static class ServerOptionDirectories
{
    /// <summary>
    /// options.c: parse_arguments — the module's filter rules on the backup directory, before anything is received
    /// (sanitized, as the module root's name: the daemon has not gone into the destination yet).
    /// </summary>
    public static void CheckBackupDirectory(ServerSettings settings, TransferOptions options)
    {
        if (ModuleReceiveFilter.RejectsDirectory(settings, options.BackupDir))
            throw new RsyncException(RsyncErrorKind.Unsupported, "rsync: " + ModuleReceiveFilter.Rejected);
    }

    /// <summary>The resolver a confined receiving server hands its receiving side.</summary>
    public static OptionDirectoryResolver For(ServerSettings settings) =>
        (receivingRoot, dir, mayClimb) => Resolve(settings, receivingRoot, dir, mayClimb);

    private static (string? Full, string Shown, string? Rejection) Resolve(ServerSettings settings, string receivingRoot, string dir, bool mayClimb)
    {
        string root = Path.GetFullPath(settings.Root).TrimEnd('/');
        string receiving = Path.GetRelativePath(root.Length == 0 ? "/" : root, receivingRoot);
        string moduleRelative, shown;
        if (dir.StartsWith('/'))
        {
            moduleRelative = ServerPaths.Sanitize(dir).TrimEnd('/');
            shown = Path.Join(settings.Root, moduleRelative);
        }
        else
        {
            int depth = mayClimb && receiving != "." ? receiving.Split('/').Length : 0;
            shown = Encoding.UTF8.GetString(ReceivedLinks.Sanitize(Encoding.UTF8.GetBytes(dir), depth)).TrimEnd('/');
            // The leading ".." sanitize kept climb no higher than the module: the joined path stays beneath it.
            moduleRelative = ServerPaths.Sanitize(receiving == "." ? shown : receiving + "/" + shown).TrimEnd('/');
        }
        int err = ServerPaths.CheckBeneath(settings.Root, moduleRelative, lastMayBeAnything: false);
        // A basis directory through a link that leads out of the module is no error: stock's basis lookups in it
        // (syscall.c: secure_relative_open from the module) all fail, so every file is sent whole (receiver.c,
        // generator.c: try_dests_reg find nothing).
        bool outside = err == Interop.ELOOP && mayClimb;
        if (err != 0 && !outside)
            throw new RsyncException(RsyncErrorKind.FileSelection,
                $"rsync: [Receiver] change_dir \"/{moduleRelative}\" (in {settings.ModuleName}) failed: {Marshal.GetPInvokeErrorMessage(err)} ({err})");
        // main.c: do_server_recv matches a basis directory as a name in the receiving directory (an absolute one from
        // the module's root), without the ".." it may climb by.
        string? rejection = null;
        if (mayClimb)
        {
            string named = dir.StartsWith('/') ? dir : receiving == "." ? dir : receiving + "/" + ServerPaths.Sanitize(dir);
            if (ModuleReceiveFilter.RejectsDirectory(settings, named))
                rejection = ModuleReceiveFilter.Rejected;
        }
        // A module whose path is "/" has the empty root here: its directories are absolute all the same.
        string top = root.Length == 0 ? "/" : root;
        return (outside ? null : moduleRelative is "." or "" ? top : Path.Join(top, moduleRelative), shown, rejection);
    }
}
