namespace Veil.Compute.Models;

/// <summary>The first layers of a ResNet: ImageNet's (7×7 stride 2, then 3×3 max-pool
/// stride 2) or, for 32×32 images, one 3×3 stride-1 convolution and no pooling.</summary>
public enum ResNetStem
{
    ImageNet,
    Small,
}
