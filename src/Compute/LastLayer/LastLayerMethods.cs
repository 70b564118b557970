namespace Veil.Compute.LastLayer;

/// <summary>The configuration names of the methods (veil.last-layer.method) and their parsing.</summary>
public static class LastLayerMethods
{
    public static IReadOnlyList<string> Names { get; } = ["dp-least-squares", "dp-newton", "dp-fc", "dp-sgd-last-layer"];

    public static LastLayerMethod Parse(string name) => name switch
    {
        "dp-least-squares" => LastLayerMethod.LeastSquares,
        "dp-newton" => LastLayerMethod.Newton,
        "dp-fc" => LastLayerMethod.FeatureCovariance,
        "dp-sgd-last-layer" => LastLayerMethod.Sgd,
        _ => throw new ArgumentException($"unknown last-layer method \"{name}\"; valid: {string.Join(", ", Names)}", nameof(name)),
    };

    public static string Name(this LastLayerMethod method) => Names[(int)method];
}
