using System.Runtime.InteropServices;

namespace Veil.Compute.Runtime;

/// <summary>
/// Makes libtorch's OpenMP runtime (libgomp) sleep rather than spin while it waits, unless the user chose
/// otherwise with OMP_WAIT_POLICY. libgomp reads the variable once, when it is loaded with libtorch, from the
/// native environment, which .NET's Environment.SetEnvironmentVariable does not change on Linux; hence setenv.
///
/// Why: a gradient worker waiting inside libgomp spun on `pause` for 91 % of its time whenever another process
/// competed for the cores (perf, demo beside a niced training run on 2 cores), an order of magnitude slower than
/// with the passive policy at the same load. On an idle machine the policy costs nothing measurable at one
/// thread per worker (figures: docs/benchmarks.md).
/// </summary>
public static class OpenMpWaitPolicy
{
    public const string Variable = "OMP_WAIT_POLICY";

    // glibc's soname, named exactly: "libc" would make the loader try libc.so, which on Debian is a linker script
    // from libc6-dev (and absent without it).
    const string Libc = "libc.so.6";

    [DllImport(Libc, EntryPoint = "setenv")]
    static extern int SetEnv(string name, string value, int overwrite);

    [DllImport(Libc, EntryPoint = "getenv")]
    static extern IntPtr GetEnv(string name);

    /// <summary>
    /// Sets OMP_WAIT_POLICY=PASSIVE in the native environment if it is unset; must run before libtorch loads.
    /// Linux (glibc) only; elsewhere, or without glibc, libgomp keeps its default (a speed matter, not correctness).
    /// </summary>
    public static void PreferPassive()
    {
        if (!OperatingSystem.IsLinux()) return;
        try
        {
            if (Current is not null) return; // the user's choice stands
            SetEnv(Variable, "PASSIVE", overwrite: 0);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
        }
    }

    /// <summary>The native environment's OMP_WAIT_POLICY, or null when unset (or not on glibc Linux).</summary>
    public static string? Current
    {
        get
        {
            if (!OperatingSystem.IsLinux()) return null;
            var value = GetEnv(Variable);
            return value == IntPtr.Zero ? null : Marshal.PtrToStringUTF8(value);
        }
    }
}
