namespace Veil.Ledger.Budget;

/// <summary>The (ε, δ) a dataset may spend in total, across every run on it.</summary>
public sealed record PrivacyBudget
{
    public PrivacyBudget(double epsilon, double delta)
    {
        if (!(epsilon > 0) || double.IsNaN(epsilon)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "budget ε must be > 0");
        if (!(delta > 0 && delta < 1)) throw new ArgumentOutOfRangeException(nameof(delta), delta, "budget δ must be in (0, 1)");
        (Epsilon, Delta) = (epsilon, delta);
    }

    public double Epsilon { get; }
    public double Delta { get; }
}
