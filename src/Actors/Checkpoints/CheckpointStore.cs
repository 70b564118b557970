using System.Globalization;
using System.Runtime.InteropServices;

namespace Veil.Actors.Checkpoints;

/// <summary>
/// runs/&lt;id&gt;/checkpoints/: atomic writes (temporary file, fsync, rename, fsync of the folder) so a
/// crash leaves either the old or the new checkpoint, never half of one; the newest n are kept.
/// Files are readable by the owner only: they hold the noise seed.
/// </summary>
public sealed class CheckpointStore
{
    private const string Prefix = "step-";
    private const string Suffix = ".ckpt";

    public CheckpointStore(string directory, int keep)
    {
        Directory = System.IO.Path.GetFullPath(directory);
        Keep = Math.Max(1, keep);
    }

    public string Directory { get; }

    public int Keep { get; }

    public string Save(Checkpoint checkpoint)
    {
        try
        {
            System.IO.Directory.CreateDirectory(Directory);
            if (!OperatingSystem.IsWindows())
                System.IO.File.SetUnixFileMode(Directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var final = System.IO.Path.Combine(Directory, Name(checkpoint.StepsApplied));
            var temporary = final + ".tmp";
            var bytes = CheckpointFile.Encode(checkpoint);
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                if (!OperatingSystem.IsWindows())
                    System.IO.File.SetUnixFileMode(stream.SafeFileHandle, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }
            System.IO.File.Move(temporary, final, overwrite: true);
            SyncDirectory();
            Prune();
            return final;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"cannot write a checkpoint in {Directory}: {e.Message}; make the run folder writable (or set veil.run.dir)", e);
        }
    }

    /// <summary>Checkpoint files, newest (most steps) first.</summary>
    public IReadOnlyList<string> Files() =>
        !System.IO.Directory.Exists(Directory)
            ? []
            : System.IO.Directory.GetFiles(Directory, Prefix + "*" + Suffix)
                .Select(f => (File: f, Step: StepOf(f)))
                .Where(x => x.Step >= 0)
                .OrderByDescending(x => x.Step)
                .Select(x => x.File)
                .ToList();

    /// <summary>The newest checkpoint that verifies; the corrupt ones skipped on the way are reported, not deleted.</summary>
    public (Checkpoint? Checkpoint, IReadOnlyList<string> Skipped) LoadNewestValid()
    {
        var skipped = new List<string>();
        foreach (var file in Files())
        {
            try
            {
                return (CheckpointFile.Decode(System.IO.File.ReadAllBytes(file), file), skipped);
            }
            catch (CorruptCheckpointException e)
            {
                skipped.Add(e.Message);
            }
        }
        return (null, skipped);
    }

    private void Prune()
    {
        foreach (var old in Files().Skip(Keep)) System.IO.File.Delete(old);
    }

    // The rename is only durable once the folder's own entry is on disk. .NET cannot open a directory
    // as a file, so this goes to libc: open(dir, O_RDONLY), fsync, close.
    private void SyncDirectory()
    {
        if (!OperatingSystem.IsLinux()) return;
        var fd = NativeFileSync.open(Directory, 0);
        if (fd < 0) throw new IOException($"cannot open {Directory} to make the checkpoint durable (errno {Marshal.GetLastPInvokeError()})");
        try
        {
            if (NativeFileSync.fsync(fd) != 0) throw new IOException($"fsync of {Directory} failed (errno {Marshal.GetLastPInvokeError()})");
        }
        finally
        {
            NativeFileSync.close(fd);
        }
    }

    private static string Name(long step) => Prefix + step.ToString("D9", CultureInfo.InvariantCulture) + Suffix;

    private static long StepOf(string file)
    {
        var name = System.IO.Path.GetFileName(file);
        return long.TryParse(name[Prefix.Length..^Suffix.Length], NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : -1;
    }
}
