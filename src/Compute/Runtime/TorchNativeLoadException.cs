namespace Veil.Compute.Runtime;

/// <summary>TorchSharp's native library did not load; the message says the likely cause and the fix.</summary>
public sealed class TorchNativeLoadException : Exception
{
    public TorchNativeLoadException(Exception inner)
        : base(
            "TorchSharp's native library (libtorch + libLibTorchSharp.so) failed to load. " +
            "On Debian 12 and other systems whose libstdc++ predates GCC 13, libLibTorchSharp.so asks for GLIBCXX_3.4.32; " +
            "Veil's build weakens that requirement in the COPY in each output folder (build/WeakenGlibcxxRequirement.targets, " +
            "targets VeilWeakenGlibcxxInOutput / VeilWeakenGlibcxxInPublish). If you see this, the process is probably loading " +
            "an unpatched copy (a folder not produced by `dotnet build`/`dotnet publish` of Veil, or a stale output): rebuild, " +
            "and check `readelf -V runtimes/linux-x64/native/libLibTorchSharp.so` shows 'GLIBCXX_3.4.32  Flags: WEAK'. " +
            "Original error: " + inner.Message, inner)
    {
    }
}
