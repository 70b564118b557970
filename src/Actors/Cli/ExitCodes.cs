namespace Veil.Actors.Cli;

/// <summary>Exit codes scripts can rely on.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>The command ran and found a problem (e.g. a ledger that fails verification, a budget refused).</summary>
    public const int Failed = 1;
    /// <summary>Bad input: unknown option, value out of range, missing file. Nothing was done.</summary>
    public const int Usage = 2;
}
