using Veil.Compute.Models;
using static TorchSharp.torch;

namespace Veil.Compute.Runtime;

/// <summary>
/// The array side of the Compute boundary: owned float[]/long[] in, tensors on the model's device out,
/// checked on the way (a wrong length or label is an ArgumentException here, not a libtorch crash later).
/// Arrays may be longer than needed (reused buffers); only the first <c>count</c> examples are read.
/// </summary>
public static class HostArrays
{
    public static Tensor Inputs(VeilModel model, float[] inputs, int count)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        long size = model.ExampleSize;
        long needed = size * count;
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count), count, "Example count cannot be negative.");
        if (inputs.LongLength < needed)
            throw new ArgumentException($"{count} examples of {size} values need {needed} inputs; got {inputs.LongLength}.", nameof(inputs));
        var data = inputs.LongLength == needed ? inputs : inputs.AsSpan(0, (int)needed).ToArray();
        var shape = new[] { (long)count }.Concat(model.ExampleShape).ToArray();
        return tensor(data, shape).to(model.Device);
    }

    public static Tensor Labels(VeilModel model, long[] labels, int count)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Length < count) throw new ArgumentException($"{count} examples need {count} labels; got {labels.Length}.", nameof(labels));
        for (int i = 0; i < count; i++)
            if (labels[i] < 0 || labels[i] >= model.Classes)
                throw new ArgumentException($"Label {labels[i]} of example {i} is outside [0, {model.Classes}).", nameof(labels));
        var data = labels.Length == count ? labels : labels.AsSpan(0, count).ToArray();
        return tensor(data, new long[] { count }).to(model.Device);
    }
}
