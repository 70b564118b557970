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

    /// <summary>Loads libtorch and LibTorchSharp for the CPU. Safe to call from any thread, any number of times.</summary>
    public static void EnsureLoaded()
    {
        if (Volatile.Read(ref _loaded)) return;
        lock (Gate)
        {
            if (_loaded) return;
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
    /// Intra-op threads for the calling process. libtorch's budget is process-wide, so with several
    /// gradient workers in one process each should get cores/workers, not all cores (oversubscription
    /// makes every worker slower).
    /// </summary>
    public static void SetThreads(int threads)
    {
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads), threads, "A thread budget must be at least 1.");
        EnsureLoaded();
        torch.set_num_threads(threads);
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
