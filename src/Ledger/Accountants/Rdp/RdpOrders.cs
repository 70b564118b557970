namespace Veil.Ledger.Accountants.Rdp;

/// <summary>The Rényi orders α at which RDP is evaluated; ε is minimised over them.</summary>
public static class RdpOrders
{
    // Declared first: static initialisers run in textual order and Default is built from it.
    /// <summary>dp_accounting's default grid alone, for comparing with values published with it.</summary>
    public static IReadOnlyList<double> DpAccounting { get; } =
        new double[] { 1.25, 1.5, 1.75, 2, 2.25, 2.5, 3, 3.5, 4, 4.5 }
            .Concat(Enumerable.Range(5, 59).Select(i => (double)i))
            .Concat(new double[] { 128, 256, 512 })
            .ToArray();

    /// <summary>
    /// Google dp_accounting's default grid (1.25 … 4.5, 5 … 63, 128, 256, 512), plus 1.1 … 10.9 in steps
    /// of 0.1: the optimum for large-batch, many-step runs often sits between 1 and 11, where a coarse grid
    /// over-reports ε by a few percent.
    /// </summary>
    public static IReadOnlyList<double> Default { get; } = BuildDefault();

    private static double[] BuildDefault()
    {
        var fine = Enumerable.Range(11, 99).Select(i => Math.Round(i / 10.0, 1)); // 1.1 … 10.9
        return DpAccounting.Concat(fine).Distinct().OrderBy(a => a).ToArray();
    }
}
