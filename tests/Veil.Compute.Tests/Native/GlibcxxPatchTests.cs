using System.Reflection;
using Veil.Build;
using Xunit;

namespace Veil.Compute.Tests.Native;

/// <summary>The build step that makes libLibTorchSharp.so load on Debian 12 (build/WeakenGlibcxxRequirement.targets).</summary>
public sealed class GlibcxxPatchTests : IDisposable
{
    const string Version = "GLIBCXX_3.4.32";
    static readonly string[] SafeSymbols = { "_ZSt21ios_base_library_initv" };
    readonly string _temp = Path.Combine(Path.GetTempPath(), "veil-elf-" + Guid.NewGuid().ToString("N"));

    public GlibcxxPatchTests() => Directory.CreateDirectory(_temp);
    public void Dispose() => Directory.Delete(_temp, recursive: true);

    static string OutputCopy => Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");

    static string Pristine => typeof(GlibcxxPatchTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "PristineLibTorchSharp").Value!;

    static ElfVersionNeeds.Requirement Requirement(byte[] image, string label) =>
        ElfVersionNeeds.ReadRequirements(image, label).Single(r => r.Name == Version);

    [Fact]
    public void The_build_output_copy_requires_GLIBCXX_3_4_32_only_weakly()
    {
        var image = File.ReadAllBytes(OutputCopy);
        var requirement = Requirement(image, OutputCopy);
        Assert.True(requirement.IsWeak, $"{OutputCopy}: {Version} flags are 0x{requirement.Flags:x}");
        Assert.Equal("libstdc++.so.6", requirement.Library);
    }

    [Fact]
    public void Only_the_never_relocated_ios_base_marker_needs_GLIBCXX_3_4_32()
    {
        var image = File.ReadAllBytes(Pristine);
        var bound = ElfVersionNeeds.SymbolsBoundTo(image, Pristine, Requirement(image, Pristine).Index);
        Assert.Equal(SafeSymbols, bound);
    }

    [Fact]
    public void Patching_is_idempotent_changes_one_byte_and_leaves_the_NuGet_cache_copy_alone()
    {
        byte[] pristine = File.ReadAllBytes(Pristine);
        Assert.False(Requirement(pristine, Pristine).IsWeak); // the cache copy was never patched
        string copy = Path.Combine(_temp, "libLibTorchSharp.so");
        File.Copy(Pristine, copy);

        Assert.Equal(WeakenOutcome.Weakened, ElfVersionNeeds.Weaken(copy, Version, SafeSymbols));
        byte[] once = File.ReadAllBytes(copy);
        Assert.True(Requirement(once, copy).IsWeak);
        Assert.Equal(pristine.Length, once.Length);
        Assert.Equal(1, pristine.Zip(once).Count(p => p.First != p.Second));

        var writtenAt = File.GetLastWriteTimeUtc(copy);
        Assert.Equal(WeakenOutcome.AlreadyWeak, ElfVersionNeeds.Weaken(copy, Version, SafeSymbols));
        Assert.Equal(once, File.ReadAllBytes(copy));
        Assert.Equal(writtenAt, File.GetLastWriteTimeUtc(copy)); // no write at all the second time
        Assert.False(Requirement(File.ReadAllBytes(Pristine), Pristine).IsWeak);
    }

    [Fact]
    public void Patching_refuses_when_a_real_symbol_needs_the_version()
    {
        byte[] image = File.ReadAllBytes(Pristine);
        var e = Assert.Throws<ElfFormatException>(() => ElfVersionNeeds.Weaken(image, "libX.so", Version, Array.Empty<string>()));
        Assert.Contains("libX.so", e.Message);
        Assert.Contains("_ZSt21ios_base_library_initv", e.Message);
    }

    [Fact]
    public void Patching_a_file_that_is_not_ELF64_fails_naming_the_file()
    {
        string bogus = Path.Combine(_temp, "libLibTorchSharp.so");
        File.WriteAllBytes(bogus, new byte[128]);
        var e = Assert.Throws<ElfFormatException>(() => ElfVersionNeeds.Weaken(bogus, Version, SafeSymbols));
        Assert.Contains(bogus, e.Message);
    }

    [Fact]
    public void A_library_without_the_requirement_is_left_alone()
    {
        byte[] image = File.ReadAllBytes(Pristine);
        byte[] before = (byte[])image.Clone();
        Assert.Equal(WeakenOutcome.NotRequired, ElfVersionNeeds.Weaken(image, Pristine, "GLIBCXX_9.9.99", SafeSymbols));
        Assert.Equal(before, image);
    }
}
