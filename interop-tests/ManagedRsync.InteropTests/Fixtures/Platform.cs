// The interop tests drive stock rsync and Unix file modes: Linux only, like mrsync itself.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
