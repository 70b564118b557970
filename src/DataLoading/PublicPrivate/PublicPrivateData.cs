using Veil.DataLoading.Datasets;

namespace Veil.DataLoading.PublicPrivate;

/// <summary>The two tasks a <see cref="PublicSplit"/> makes of one dataset: each with its own train and test split.</summary>
public sealed record PublicPrivateData(ImageDataset PublicTrain, ImageDataset PublicTest, ImageDataset PrivateTrain, ImageDataset PrivateTest);
