namespace Veil.Compute.Transfer;

/// <summary>A backbone read from disk: its manifest and every weight, in manifest order.</summary>
public sealed record LoadedBackbone(string Directory, BackboneManifest Manifest, float[] Weights);
