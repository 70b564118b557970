using Veil.Ledger.Events;

namespace Veil.Ledger.Accountants.Rdp;

/// <summary>
/// The accumulated RDP at each order: RDP composes by adding curves, so an event folds in with one vector
/// addition. The sum is compensated (Neumaier), so a million identical steps added one by one land within
/// a few ulps of <see cref="RdpAccountant.Curve"/>'s count × curve, not drifting by n·ulp.
/// </summary>
public sealed class RdpTally : IPrivacyTally
{
    private readonly RdpAccountant _accountant;
    private readonly double[] _sum;
    private readonly double[] _compensation;

    internal RdpTally(RdpAccountant accountant)
        : this(accountant, new double[accountant.Orders.Count], new double[accountant.Orders.Count]) { }

    private RdpTally(RdpAccountant accountant, double[] sum, double[] compensation)
    {
        _accountant = accountant;
        _sum = sum;
        _compensation = compensation;
    }

    public IPrivacyTally With(IEnumerable<DpEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        var sum = (double[])_sum.Clone();
        var compensation = (double[])_compensation.Clone();
        foreach (var e in events)
        {
            var curve = _accountant.CurveOf(e ?? throw new ArgumentException("a history may not contain null events", nameof(events)));
            for (var i = 0; i < sum.Length; i++) Add(ref sum[i], ref compensation[i], curve[i]);
        }
        return new RdpTally(_accountant, sum, compensation);
    }

    public IPrivacyTally Plus(IPrivacyTally other)
    {
        if (other is not RdpTally rdp || !ReferenceEquals(rdp._accountant, _accountant))
            throw new ArgumentException("only a tally of the same accountant can be added", nameof(other));
        var sum = (double[])_sum.Clone();
        var compensation = (double[])_compensation.Clone();
        for (var i = 0; i < sum.Length; i++)
        {
            Add(ref sum[i], ref compensation[i], rdp._sum[i]);
            if (!double.IsInfinity(sum[i])) compensation[i] += rdp._compensation[i];
        }
        return new RdpTally(_accountant, sum, compensation);
    }

    public PrivacySpent Epsilon(double delta)
    {
        RdpAccountant.ValidateDelta(delta);
        var total = new double[_sum.Length];
        for (var i = 0; i < total.Length; i++) total[i] = _sum[i] + _compensation[i];
        var (epsilon, order) = _accountant.EpsilonFromCurve(total, delta);
        return new PrivacySpent(epsilon, delta, _accountant.Name, order);
    }

    private static void Add(ref double sum, ref double compensation, double x)
    {
        if (x == 0) return;
        var t = sum + x;
        if (double.IsInfinity(t))
        {
            // An unbounded loss stays unbounded; the compensation would only turn it into NaN.
            (sum, compensation) = (t, 0);
            return;
        }
        compensation += Math.Abs(sum) >= Math.Abs(x) ? (sum - t) + x : (x - t) + sum;
        sum = t;
    }
}
