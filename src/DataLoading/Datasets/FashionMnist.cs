namespace Veil.DataLoading.Datasets;

/// <summary>
/// Zalando's Fashion-MNIST: 60,000 training and 10,000 test grey images of 28×28, 10 classes.
/// Veil's embedded default dataset.
/// </summary>
public static class FashionMnist
{
    public const int Classes = 10;

    /// <summary>Class names in label order (from the upstream README).</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>Locates (see <see cref="FashionMnistLocator"/>) and loads both splits.</summary>
    /// <param name="configuredPath">The value of <c>veil.data.path</c>, or null to use the Debian location.</param>
    public static DatasetSplits Load(string? configuredPath = null) => Load(new FashionMnistLocator().Locate(configuredPath));

    /// <summary>Loads both splits from files already located.</summary>
    public static DatasetSplits Load(FashionMnistFiles files) => new(
        IdxImageDataset.Load("fashion-mnist/train", files.TrainImages, files.TrainLabels, Classes),
        IdxImageDataset.Load("fashion-mnist/test", files.TestImages, files.TestLabels, Classes));
}
