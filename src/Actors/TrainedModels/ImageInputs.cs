using Veil.Actors.Cli;
using Veil.DataLoading.Augmentation;
using Veil.DataLoading.Sources;

namespace Veil.Actors.TrainedModels;

/// <summary>
/// Images to predict on, decoded and normalised as the run's test split was (Skia decode, (pixel/255 − mean)/std with
/// Fashion-MNIST's statistics, no augmentation): one image file, a folder (every .png/.jpg/.jpeg under it, at any depth,
/// in ordinal path order; hidden files and folders skipped), or tar shards (as `veil data export --format tar` writes
/// them). An image whose shape is not the model's is refused naming it: resizing would silently change what was asked.
/// </summary>
public sealed record ImageInputs(IReadOnlyList<string> Names, float[] Inputs)
{
    public int Count => Names.Count;

    public static ImageInputs Read(string source, long[] exampleShape)
    {
        var expected = new ImageShape((int)exampleShape[0], (int)exampleShape[1], (int)exampleShape[2]);
        var augmenter = new ExampleAugmenter(AugmentationSettings.None(ChannelNormalization.FashionMnist), expected, seed: 0);
        var names = new List<string>();
        var inputs = new List<float>();
        void Add(string name, ImageShape stored, Func<DecodedImage> decode)
        {
            if (stored != expected)
                throw new CliUsageException(
                    $"{name} is a {stored} image (channels×height×width); the model takes {expected} images: " +
                    $"convert it to {expected} or leave it out");
            var row = new float[expected.Size];
            augmenter.Apply(decode(), step: 0, example: names.Count, k: 0, row, name);
            names.Add(name);
            inputs.AddRange(row);
        }

        if (File.Exists(source) && ImageFileFormats.IsImageExtension(Path.GetExtension(source)))
        {
            AddFile(Path.GetFullPath(source));
        }
        else if (ImageSources.IsShards(source))
        {
            using var shards = TarShardSource.Open(source, channels: expected.Channels);
            for (var i = 0; i < shards.Count; i++)
            {
                var image = shards.Decode(i);
                Add(shards.MemberPath(i), image.Shape, () => image);
            }
        }
        else if (Directory.Exists(source))
        {
            var root = Path.GetFullPath(source);
            var files = Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
                .Where(f => ImageFileFormats.IsImageExtension(Path.GetExtension(f)))
                .Where(f => !Path.GetRelativePath(root, f).Split(Path.DirectorySeparatorChar).Any(part => part.StartsWith('.')))
                .Order(StringComparer.Ordinal)
                .ToList();
            if (files.Count == 0) throw new CliUsageException($"--source {source} holds no .png, .jpg or .jpeg files");
            foreach (var f in files) AddFile(f);
        }
        else
        {
            throw new CliUsageException($"--source {source} is neither an image file (.png, .jpg, .jpeg), a folder of images, nor tar shards");
        }
        return new ImageInputs(names, inputs.ToArray());

        void AddFile(string file)
        {
            var bytes = File.ReadAllBytes(file);
            var stored = SkiaImageCodec.PeekShape(bytes, file);
            Add(file, stored, () =>
            {
                var (shape, pixels) = SkiaImageCodec.Decode(bytes, expected.Channels, file);
                return new DecodedImage(shape, pixels, 0);
            });
        }
    }
}
