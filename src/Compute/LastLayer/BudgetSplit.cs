namespace Veil.Compute.LastLayer;

/// <summary>
/// Relative weights of the release groups in the budget (veil.last-layer.split.*); only the groups a method
/// uses count, normalised among themselves. Meaning: see Veil.Ledger's SplitCalibration.
/// </summary>
public sealed record BudgetSplit
{
    public BudgetSplit(double covariance = 1, double targets = 1, double gradient = 1, double hessian = 1, double sgd = 1)
    {
        foreach (var (name, w) in new[] { ("covariance", covariance), ("targets", targets), ("gradient", gradient), ("hessian", hessian), ("sgd", sgd) })
            if (!(w > 0) || !double.IsFinite(w)) throw new ArgumentOutOfRangeException(name, w, $"budget weight of \"{name}\" must be finite and > 0");
        (Covariance, Targets, Gradient, Hessian, Sgd) = (covariance, targets, gradient, hessian, sgd);
    }

    public double Covariance { get; }
    public double Targets { get; }
    public double Gradient { get; }
    public double Hessian { get; }
    public double Sgd { get; }
}
