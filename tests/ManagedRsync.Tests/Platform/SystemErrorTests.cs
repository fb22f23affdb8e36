using System.ComponentModel;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ManagedRsync.Platform;

namespace ManagedRsync.Tests.Platform;

/// <summary>
/// A system call's failure is shown as stock's rsyserr shows it, "WORDS (ERRNO)" (log.c), whatever exception .NET
/// raised for it: each exception here is provoked the way the library meets it, not constructed by hand.
/// </summary>
public sealed class SystemErrorTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mrsync-syserr-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Exception Raised(Action action) => Assert.ThrowsAny<Exception>(action);

    [Fact]
    public void AMissingFileIsEnoent()
    {
        Exception e = Raised(() => File.OpenHandle(Path.Combine(_dir, "missing")).Dispose());
        Assert.IsType<FileNotFoundException>(e);
        Assert.Equal("No such file or directory (2)", SystemError.Describe(e));
    }

    [Fact]
    public void AMissingDirectoryIsEnoent()
    {
        Exception e = Raised(() => File.OpenHandle(Path.Combine(_dir, "missing", "file")).Dispose());
        Assert.IsType<DirectoryNotFoundException>(e);
        Assert.Equal("No such file or directory (2)", SystemError.Describe(e));
    }

    [Fact]
    public void ADirectoryOpenedAsAFileIsEacces()
    {
        Exception e = Raised(() => File.OpenHandle(_dir).Dispose());
        Assert.IsType<UnauthorizedAccessException>(e);
        Assert.Equal("Permission denied (13)", SystemError.Describe(e));
    }

    [Fact]
    public void ANameOverNameMaxIsEnametoolong()
    {
        Exception e = Raised(() => File.OpenHandle(Path.Combine(_dir, new string('n', 300))).Dispose());
        Assert.IsType<PathTooLongException>(e);
        Assert.Equal("File name too long (36)", SystemError.Describe(e));
    }

    [Fact]
    public void AnyOtherErrnoIsTheIOExceptionsHResult()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "full", "child"));
        Exception e = Raised(() => Directory.Delete(Path.Combine(_dir, "full")));
        Assert.Equal(typeof(IOException), e.GetType());
        Assert.Equal(39, SystemError.Errno(e));
        Assert.Equal("Directory not empty (39)", SystemError.Describe(e));
    }

    [Fact]
    public void ASocketsErrnoIsItsNativeErrorCodeAlsoInsideANetworkStreamsIOException()
    {
        int port;
        using (var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        }
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        Exception e = Raised(() => client.Connect(IPAddress.Loopback, port));
        Assert.IsType<SocketException>(e);
        Assert.Equal("Connection refused (111)", SystemError.Describe(e));
        Assert.Equal("Connection refused (111)", SystemError.Describe(new IOException("Unable to write data", e)));
    }

    [Fact]
    public void AFailedExecIsTheWin32ExceptionsNativeErrorCode()
    {
        Exception e = Raised(() => Process.Start(new ProcessStartInfo(Path.Combine(_dir, "no-such-program")))?.Dispose());
        Assert.IsType<Win32Exception>(e);
        Assert.Equal("No such file or directory (2)", SystemError.Describe(e));
    }

    [Fact]
    public void AnythingElseKeepsItsMessage()
    {
        Assert.Null(SystemError.Errno(new InvalidDataException("bad data")));
        Assert.Equal("bad data", SystemError.Describe(new InvalidDataException("bad data")));
        // .NET's own HRESULTs are negative: an end of stream is not errno 38 or any other.
        Assert.Equal("cut short", SystemError.Describe(new EndOfStreamException("cut short")));
        Assert.Equal("Broken pipe", SystemError.Describe(new IOException("Broken pipe")));
    }
}
