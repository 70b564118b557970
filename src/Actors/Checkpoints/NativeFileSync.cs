using System.Runtime.InteropServices;

namespace Veil.Actors.Checkpoints;

/// <summary>The three libc calls needed to fsync a directory on Linux.</summary>
internal static partial class NativeFileSync
{
    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int open(string path, int flags);

    [LibraryImport("libc", SetLastError = true)]
    internal static partial int fsync(int fd);

    [LibraryImport("libc", SetLastError = true)]
    internal static partial int close(int fd);
}
