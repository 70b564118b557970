using System.Security.Cryptography;
using System.Text.Json;
using Veil.Actors.Training;
using Veil.Compute.Noise;
using Veil.DataLoading.Sampling;

namespace Veil.Actors.PrivateRuns;

/// <summary>
/// A run's private randomness: the keys of its Poisson sampling and of its noise. They come from the OS CSPRNG
/// and live only in runs/&lt;id&gt;/secrets/ (0600) and in checkpoints (0600): whoever holds the noise key can
/// subtract the noise from the released model, whoever holds the sampler key learns who was in each batch.
/// The only way to fix them is <c>veil.run.insecure-private-seed</c>, for reproducible tests and debugging: such
/// a run is <see cref="Insecure"/>, its ledger events are recorded as insecure and every ε that includes them is ∞.
/// The augmentation seed is public randomness (from veil.run.seed when set) and is kept here only so a resumed
/// run redraws the same views.
/// </summary>
public sealed record RunSecrets(SamplerSeed Sampler, NoiseSeed Noise, ulong AugmentationSeed, bool Insecure)
{
    public const string FileName = "seeds.json";

    /// <summary>Fresh keys from the CSPRNG; with a non-zero <paramref name="insecurePrivateSeed"/>, keys anyone can recompute.</summary>
    public static RunSecrets Draw(ulong publicSeed, ulong insecurePrivateSeed)
    {
        var augmentation = publicSeed != 0 ? PublicAugmentationSeed(publicSeed) : BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));
        return insecurePrivateSeed == 0
            ? new RunSecrets(SamplerSeed.FromCsprng(), NoiseSeed.FromCsprng(), augmentation, Insecure: false)
            : new RunSecrets(
                SamplerSeed.FromUInt64(insecurePrivateSeed), NoiseSeed.FromInt64(unchecked((long)(insecurePrivateSeed * 0x9E3779B97F4A7C15UL))), augmentation,
                Insecure: true);
    }

    public void Save(RunFolder run) =>
        run.WriteSecret(FileName, JsonSerializer.Serialize(new Stored(Sampler.ToHex(), Noise.ToHex(), Insecure, AugmentationSeed)));

    /// <summary>The run's keys from runs/&lt;id&gt;/secrets/seeds.json.</summary>
    public static RunSecrets Load(string runPath)
    {
        var file = Path.Combine(runPath, "secrets", FileName);
        if (!File.Exists(file))
            throw new TrainingFailedException(
                $"{file} is missing: without the run's keys its batches and noise cannot be drawn as planned; start a new run instead");
        var s = JsonSerializer.Deserialize<Stored>(File.ReadAllText(file))
            ?? throw new TrainingFailedException($"{file} is empty; start a new run instead");
        var sampler = SamplerSeed.FromHex(s.Sampler);
        // Runs saved before the augmentation seed was kept here derived it from the sampler key.
        return new RunSecrets(sampler, NoiseSeed.FromHex(s.Noise), s.AugmentationSeed ?? RunData.AugmentationSeed(sampler), s.FixedSeed);
    }

    /// <summary>Never prints the keys.</summary>
    public override string ToString() => Insecure ? "RunSecrets(INSECURE: fixed by veil.run.insecure-private-seed)" : "RunSecrets(secret)";

    private static ulong PublicAugmentationSeed(ulong publicSeed) =>
        BitConverter.ToUInt64(SHA256.HashData(System.Text.Encoding.ASCII.GetBytes($"veil.augmentation-seed.public.v1\n{publicSeed}")), 0);

    // FixedSeed keeps the name older runs wrote; it now means "insecure".
    private sealed record Stored(string Sampler, string Noise, bool FixedSeed, ulong? AugmentationSeed = null);
}
