using Veil.Actors.Checkpoints;
using Veil.Ledger.Plan;
using Xunit;

namespace Veil.Actors.Tests.Checkpoints;

public class CheckpointStoreTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "veil-ckpt-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    private static readonly DpPlan Plan = new(0.01, 1.1, 1.0, 100, 1e-5, "fingerprint", 1000);

    private static Checkpoint At(long step) => new("run-x", step, step, "mlp", Plan, "aa", "bb", 10 + step, step, DateTimeOffset.UnixEpoch,
        [1f * step, 2f, float.Epsilon], [0.5f, -0.25f]);

    [Fact]
    public void A_checkpoint_reads_back_exactly()
    {
        var store = new CheckpointStore(_folder, keep: 3);
        store.Save(At(7));
        var (loaded, skipped) = store.LoadNewestValid();
        Assert.Empty(skipped);
        Assert.NotNull(loaded);
        Assert.Equal(At(7) with { Parameters = loaded!.Parameters, Velocity = loaded.Velocity }, loaded);
        Assert.Equal(At(7).Parameters, loaded.Parameters);
        Assert.Equal(At(7).Velocity, loaded.Velocity);
        Assert.Empty(Directory.GetFiles(_folder, "*.tmp")); // written through a temporary file, renamed into place
    }

    [Fact]
    public void Only_the_newest_n_are_kept()
    {
        var store = new CheckpointStore(_folder, keep: 2);
        foreach (var step in new long[] { 3, 6, 9, 12 }) store.Save(At(step));
        Assert.Equal(["step-000000012.ckpt", "step-000000009.ckpt"], store.Files().Select(Path.GetFileName));
    }

    [Fact]
    public void A_corrupt_newest_checkpoint_is_skipped_and_reported_not_deleted()
    {
        var store = new CheckpointStore(_folder, keep: 3);
        store.Save(At(3));
        var newest = store.Save(At(6));
        var bytes = File.ReadAllBytes(newest);
        bytes[bytes.Length / 2] ^= 0x01;
        File.WriteAllBytes(newest, bytes);
        var (loaded, skipped) = store.LoadNewestValid();
        Assert.Equal(3, loaded!.StepsApplied);
        Assert.Contains(newest, Assert.Single(skipped));
        Assert.Contains("checksum", skipped[0]);
        Assert.True(File.Exists(newest));
    }

    [Fact]
    public void A_truncated_checkpoint_is_detected()
    {
        var store = new CheckpointStore(_folder, keep: 3);
        var path = store.Save(At(4));
        File.WriteAllBytes(path, File.ReadAllBytes(path)[..40]);
        Assert.Null(store.LoadNewestValid().Checkpoint);
    }

    [Fact]
    public void An_unwritable_checkpoint_folder_is_a_clear_error_naming_it()
    {
        Directory.CreateDirectory(_folder);
        var blocked = Path.Combine(_folder, "checkpoints");
        File.WriteAllText(blocked, "a file where the folder should be"); // (root ignores permission bits; this blocks anyone)
        var e = Assert.Throws<IOException>(() => new CheckpointStore(blocked, 3).Save(At(1)));
        Assert.Contains(blocked, e.Message);
    }

    [Fact]
    public void Checkpoint_files_are_readable_by_the_owner_only()
    {
        var path = new CheckpointStore(_folder, 3).Save(At(1));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }
}
