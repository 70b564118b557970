using System.Security.Cryptography;
using Akka.Configuration;

namespace Veil.Actors.Configuration;

/// <summary>
/// `veil.audit.*` (the one-run privacy audit, docs/privacy-audit.md), read and validated once. Seed 0 draws
/// one from the OS CSPRNG (reported with the result, so the audit can be repeated).
/// </summary>
public sealed record AuditSettings(int Canaries, int GuessesIn, int GuessesOut, double Beta, ulong Seed)
{
    /// <summary>r: the guesses made, fixed before the run.</summary>
    public int Guesses => GuessesIn + GuessesOut;

    public static AuditSettings Create(Config c)
    {
        int Int(string key, int min) =>
            (int)ConfigReading.Double(c, key, v => v >= min && v <= int.MaxValue && v == Math.Floor(v), $"integers [{min}, {int.MaxValue}]");

        var canaries = Int("veil.audit.canaries", 1);
        var guessesIn = Int("veil.audit.guesses-in", 0);
        var guessesOut = Int("veil.audit.guesses-out", 0);
        if ((long)guessesIn + guessesOut > canaries)
            throw new ConfigurationException(
                $"veil.audit.guesses-in = {guessesIn} plus veil.audit.guesses-out = {guessesOut} exceed veil.audit.canaries = {canaries}: " +
                $"the auditor makes at most one guess per canary; lower the guesses or raise the canaries");
        if (guessesIn + guessesOut == 0)
            throw new ConfigurationException(
                "veil.audit.guesses-in and veil.audit.guesses-out are both 0: " +
                "an audit that guesses nothing can show nothing; set e.g. guesses-in = 100, guesses-out = 100");
        var beta = ConfigReading.Double(c, "veil.audit.beta", v => v is > 0 and < 1, "(0, 1)");
        var seed = ConfigReading.UnsignedSeed(c, "veil.audit.seed", "expected 0 (draw from the CSPRNG) or a fixed seed");
        if (seed == 0) seed = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8)) | 1;
        return new AuditSettings(canaries, guessesIn, guessesOut, beta, seed);
    }
}
