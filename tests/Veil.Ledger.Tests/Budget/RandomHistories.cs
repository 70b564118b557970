using Veil.Ledger.Events;

namespace Veil.Ledger.Tests.Budget;

/// <summary>Seeded random DP events of every kind the accountants read, drawn from a few values so identical events recur (as in a ledger).</summary>
internal sealed class RandomHistories(int seed)
{
    private static readonly double[] Sigmas = [0.8, 1.1, 1.1, 2.5, 4.0];
    private static readonly double[] Rates = [0.001, 0.004, 0.004, 0.02, 0.1];
    private readonly Random _random = new(seed);

    public DpEvent NextEvent(bool pldOnly = false) => _random.Next(pldOnly ? 4 : 6) switch
    {
        0 => new GaussianEvent(Pick(Sigmas)),
        1 or 2 => Sampled(),
        3 => new SelfComposed(Sampled(), _random.Next(0, 40)),
        4 => new Composed([Sampled(), new GaussianEvent(Pick(Sigmas)), Sampled()]),
        _ => new PoissonSampled(Pick(Rates) * 4, Sampled()),
    };

    public List<DpEvent> NextHistory(int maxLength, bool pldOnly = false) =>
        Enumerable.Range(0, _random.Next(0, maxLength + 1)).Select(_ => NextEvent(pldOnly)).ToList();

    public int Next(int below) => _random.Next(below);

    private PoissonSampled Sampled() => new(Pick(Rates), new GaussianEvent(Pick(Sigmas)));

    private double Pick(double[] values) => values[_random.Next(values.Length)];
}
