namespace Veil.Ledger.Accountants.Rdp;

/// <summary>The Rényi orders α at which RDP is evaluated; ε is minimised over them.</summary>
public static class RdpOrders
{
    // Declared first: static initialisers run in textual order and Default is built from these.

    /// <summary>The classic TF Privacy / early dp_accounting grid: 1.25 … 4.5, 5 … 63, 128, 256, 512.</summary>
    public static IReadOnlyList<double> Classic { get; } =
        new double[] { 1.25, 1.5, 1.75, 2, 2.25, 2.5, 3, 3.5, 4, 4.5 }
            .Concat(Enumerable.Range(5, 59).Select(i => (double)i))
            .Concat(new double[] { 128, 256, 512 })
            .ToArray();

    /// <summary>dp_accounting's current default (since 2023): 1.1 … 10.9 in steps of 0.1, 11 … 63, 128, 256, 512, 1024.</summary>
    public static IReadOnlyList<double> DpAccounting { get; } =
        Enumerable.Range(1, 99).Select(x => 1 + x / 10.0)
            .Concat(Enumerable.Range(11, 53).Select(i => (double)i))
            .Concat(new double[] { 128, 256, 512, 1024 })
            .ToArray();

    /// <summary>
    /// The union of both: never coarser than either reference implementation. The optimum for
    /// large-batch, many-step runs often sits between 1 and 11, where a coarse grid over-reports ε
    /// by a few parts in 10⁴.
    /// </summary>
    public static IReadOnlyList<double> Default { get; } = Classic.Concat(DpAccounting).Distinct().OrderBy(a => a).ToArray();
}
