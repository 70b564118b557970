namespace Veil.Compute.Transfer;

/// <summary>One tensor of weights.f32, in the order they are stored: its module path and shape.</summary>
public sealed record BackboneParameter(string Name, long[] Shape);
