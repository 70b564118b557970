using Veil.Ledger.Accountants.Numerics;
using Veil.Ledger.Accountants.Rdp;
using Veil.Ledger.Events;

namespace Veil.Ledger.Accountants;

/// <summary>
/// Rényi-DP accountant. Each event contributes an RDP curve over a grid of orders; composition adds the
/// curves (so histories where σ or q changed mid-run compose exactly), and ε is the minimum over orders
/// of the chosen RDP→DP conversion.
/// </summary>
public sealed class RdpAccountant : IPrivacyAccountant
{
    private readonly double[] _orders;
    private readonly Dictionary<(double Q, double Sigma), double[]> _subsampledGaussianCurves = new();

    public RdpAccountant(IReadOnlyList<double>? orders = null, RdpConversion conversion = RdpConversion.Balle2020)
    {
        _orders = (orders ?? RdpOrders.Default).ToArray();
        if (_orders.Length == 0) throw new ArgumentException("at least one RDP order is needed", nameof(orders));
        foreach (var a in _orders)
            if (!(a > 1)) throw new ArgumentOutOfRangeException(nameof(orders), a, "RDP orders must be > 1");
        Conversion = conversion;
    }

    public string Name => "rdp";

    public IReadOnlyList<double> Orders => _orders;

    public RdpConversion Conversion { get; }

    public PrivacySpent Epsilon(IEnumerable<DpEvent> history, double delta)
    {
        ValidateDelta(delta);
        var (epsilon, order) = EpsilonFromCurve(Curve(history), delta);
        return new PrivacySpent(epsilon, delta, Name, order);
    }

    /// <summary>A running RDP curve that events fold into one by one (see <see cref="RdpTally"/>).</summary>
    public IPrivacyTally StartTally() => new RdpTally(this);

    /// <summary>Total RDP of the history at each order of <see cref="Orders"/>.</summary>
    public double[] Curve(IEnumerable<DpEvent> history)
    {
        // A ledger holds one event per step; identical steps are counted, not re-evaluated.
        // Runs of equal events are counted first: equality is cheaper than hashing a nested record.
        var counts = new Dictionary<DpEvent, long>();
        DpEvent? current = null;
        long run = 0;
        foreach (var e in history)
        {
            if (current is not null && (ReferenceEquals(e, current) || e.Equals(current)))
            {
                run++;
                continue;
            }
            if (current is not null) counts[current] = counts.GetValueOrDefault(current) + run;
            current = e ?? throw new ArgumentException("a history may not contain null events", nameof(history));
            run = 1;
        }
        if (current is not null) counts[current] = counts.GetValueOrDefault(current) + run;
        var total = new double[_orders.Length];
        foreach (var (e, n) in counts)
            AddScaled(total, CurveOf(e), n);
        return total;
    }

    /// <summary>The minimum over orders of the conversion, with the order that attains it.</summary>
    public (double Epsilon, double? Order) EpsilonFromCurve(IReadOnlyList<double> rdp, double delta)
    {
        var best = double.PositiveInfinity;
        double? bestOrder = null;
        for (var i = 0; i < _orders.Length; i++)
        {
            var eps = Convert(_orders[i], rdp[i], delta);
            if (eps < best)
            {
                best = eps;
                bestOrder = _orders[i];
            }
        }
        return (best, bestOrder);
    }

    private double Convert(double alpha, double rdp, double delta)
    {
        if (double.IsNaN(rdp) || rdp < 0) throw new InvalidOperationException($"invalid RDP value {rdp} at order {alpha}");
        if (double.IsPositiveInfinity(rdp)) return double.PositiveInfinity;
        if (Conversion == RdpConversion.Classic) return rdp + Math.Log(1 / delta) / (alpha - 1);
        // If the mechanism is this close to a no-op, δ alone covers it (Balle et al. 2020, via the KL bound δ ≥ √(1−e^{−RDP})).
        if (delta * delta + LogSpace.ExpM1(-rdp) > 0) return 0;
        var eps = rdp + LogSpace.Log1P(-1 / alpha) - Math.Log(delta * alpha) / (alpha - 1);
        return Math.Max(0, eps);
    }

    internal double[] CurveOf(DpEvent e) => e switch
    {
        GaussianEvent g => _orders.Select(a => a / (2 * g.NoiseMultiplier * g.NoiseMultiplier)).ToArray(),
        PoissonSampled { Inner: GaussianEvent g } p => SubsampledGaussian(p.SamplingRate, g.NoiseMultiplier),
        // Keeping each record with probability q1, then each survivor with q2, is Poisson sampling at q1·q2.
        // Sampling drawn from fixed keys is as predictable as the noise: it cannot make an insecure release private.
        PoissonSampled { Inner: InsecureRandomness inner } => CurveOf(inner),
        PoissonSampled { Inner: PoissonSampled inner } p => CurveOf(new PoissonSampled(p.SamplingRate * inner.SamplingRate, inner.Inner)),
        SelfComposed s => Scaled(CurveOf(s.Inner), s.Count),
        // Neighbouring datasets differ by one user: the mechanism on users is the inner one, unchanged.
        UserLevel u => CurveOf(u.Inner),
        Composed c => c.Events.Aggregate(new double[_orders.Length], (acc, x) => AddScaled(acc, CurveOf(x), 1)),
        // The inner event is still read, so an unsupported one is refused rather than hidden behind the ∞.
        InsecureRandomness i => CurveOf(i.Inner).Select(_ => double.PositiveInfinity).ToArray(),
        _ => throw new UnsupportedEventException(e, Name),
    };

    private double[] SubsampledGaussian(double q, double sigma)
    {
        lock (_subsampledGaussianCurves)
        {
            if (!_subsampledGaussianCurves.TryGetValue((q, sigma), out var curve))
            {
                curve = _orders.Select(a => SubsampledGaussianRdp.At(q, sigma, a)).ToArray();
                _subsampledGaussianCurves[(q, sigma)] = curve;
            }
            return curve;
        }
    }

    // An unbounded loss stays unbounded even run zero times (∞ · 0 would be NaN): see InsecureRandomness.
    private static double[] Scaled(double[] curve, long n) => curve.Select(r => r == 0 ? 0 : double.IsPositiveInfinity(r) ? r : r * n).ToArray();

    private static double[] AddScaled(double[] acc, double[] curve, long n)
    {
        for (var i = 0; i < acc.Length; i++)
            if (curve[i] != 0) acc[i] += double.IsPositiveInfinity(curve[i]) ? curve[i] : curve[i] * n;
        return acc;
    }

    internal static void ValidateDelta(double delta)
    {
        if (!(delta > 0 && delta < 1)) throw new ArgumentOutOfRangeException(nameof(delta), delta, "δ must be in (0, 1)");
    }
}
