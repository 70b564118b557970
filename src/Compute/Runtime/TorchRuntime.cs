using TorchSharp;
using static TorchSharp.torch;

namespace Veil.Compute.Runtime;

/// <summary>
/// The one door to TorchSharp's native side: loads it once, sets a thread budget, parses devices.
/// Everything else in Veil.Compute calls <see cref="EnsureLoaded"/> (directly or via <see cref="Device"/>)
/// so a broken native install fails with one clear message instead of a TypeInitializationException deep in a layer.
/// </summary>
public static class TorchRuntime
{
    static readonly object Gate = new();
    static bool _loaded;
    static ThreadBudget? _budget;
    [ThreadStatic] static ThreadBudget? _appliedHere;

    sealed record ThreadBudget(int Threads);

    /// <summary>
    /// Loads libtorch and LibTorchSharp for the CPU, and gives the calling OS thread the process's thread budget
    /// (<see cref="SetThreads"/>). Safe to call from any thread, any number of times; every Compute entry point calls it.
    /// </summary>
    public static void EnsureLoaded()
    {
        if (!Volatile.Read(ref _loaded)) Load();
        var budget = Volatile.Read(ref _budget);
        if (budget is not null && !ReferenceEquals(_appliedHere, budget)) Apply(budget);
    }

    static void Load()
    {
        lock (Gate)
        {
            if (_loaded) return;
            OpenMpWaitPolicy.PreferPassive();
            try
            {
                InitializeDeviceType(DeviceType.CPU);
            }
            catch (Exception e) when (e is NotSupportedException or DllNotFoundException or TypeInitializationException or EntryPointNotFoundException)
            {
                throw new TorchNativeLoadException(e);
            }
            Volatile.Write(ref _loaded, true);
        }
    }

    /// <summary>
    /// Intra-op threads for each thread that computes. libtorch keeps this setting per OS thread (OpenMP's and
    /// MKL's thread counts are thread-local): a thread that never set it may run its first parallel regions
    /// with one thread per core (seen as an extra OpenMP thread spawned by a fresh thread's first products).
    /// A gradient worker's thread is not the one that configured the run, so the budget is process-wide and
    /// <see cref="EnsureLoaded"/> applies it to each thread that computes. (The slowdown beside other busy processes
    /// is a different matter, OpenMP's spinning waits: see <see cref="OpenMpWaitPolicy"/>.)
    /// With several gradient workers in one process each should get cores/workers, not all cores.
    /// </summary>
    public static void SetThreads(int threads)
    {
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads), threads, "A thread budget must be at least 1.");
        if (!Volatile.Read(ref _loaded)) Load();
        var budget = new ThreadBudget(threads);
        Volatile.Write(ref _budget, budget);
        Apply(budget);
    }

    static void Apply(ThreadBudget budget)
    {
        torch.set_num_threads(budget.Threads);
        _appliedHere = budget;
    }

    public static int Threads
    {
        get { EnsureLoaded(); return torch.get_num_threads(); }
    }

    /// <summary>"cpu", "cuda", "cuda:N". CUDA requested but unavailable is an error, never a silent CPU fallback.</summary>
    public static Device Device(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        EnsureLoaded();
        string trimmed = name.Trim().ToLowerInvariant();
        if (trimmed == "cpu") return CPU;
        if (trimmed == "cuda" || trimmed.StartsWith("cuda:", StringComparison.Ordinal))
        {
            int index = 0;
            if (trimmed.Length > 4 && !int.TryParse(trimmed.AsSpan(5), out index))
                throw new ArgumentException($"Device '{name}' is not of the form cuda:N.", nameof(name));
            if (!torch.cuda.is_available())
                throw new InvalidOperationException(
                    $"Device '{name}' was requested but CUDA is not available: Veil is built against TorchSharp-cpu " +
                    "(or no GPU/driver is present). Use device \"cpu\", or build with a TorchSharp-cuda package on a machine with a GPU.");
            int count = torch.cuda.device_count();
            if (index < 0 || index >= count)
                throw new ArgumentException($"Device '{name}' does not exist: {count} CUDA device(s) are visible.", nameof(name));
            return torch.device(DeviceType.CUDA, index);
        }
        throw new ArgumentException($"Unknown device '{name}'; expected \"cpu\", \"cuda\" or \"cuda:N\".", nameof(name));
    }
}
