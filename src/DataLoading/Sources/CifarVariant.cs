namespace Veil.DataLoading.Sources;

/// <summary>The two CIFAR binary layouts (Krizhevsky 2009).</summary>
public enum CifarVariant
{
    /// <summary>Records of 1 label byte + 3072 pixel bytes; 10 classes; files data_batch_1..5.bin and test_batch.bin.</summary>
    Cifar10,

    /// <summary>Records of 1 coarse label byte (20 super-classes) + 1 fine label byte (100 classes) + 3072 pixel bytes; files train.bin and test.bin.</summary>
    Cifar100,
}
