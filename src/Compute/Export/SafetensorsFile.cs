using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace Veil.Compute.Export;

/// <summary>
/// Writes the safetensors format (https://github.com/huggingface/safetensors#format): an 8-byte little-endian
/// header length N, N bytes of UTF-8 JSON (per tensor: dtype, shape, data_offsets [begin, end) into the byte
/// buffer; plus "__metadata__", a string-to-string map), then the tensors' bytes, little-endian, row-major.
/// Written here rather than with TorchSharp.PyBridge's save_safetensors, which has no way to write
/// "__metadata__" (and the privacy guarantee must travel inside the file, not beside it).
/// The header is padded with spaces to a multiple of 8 bytes, as the reference writer does, so readers may
/// map the buffer with aligned access.
/// </summary>
public static class SafetensorsFile
{
    public const string MetadataKey = "__metadata__";

    public static void Write(string path, IReadOnlyList<NamedWeights> weights, IReadOnlyDictionary<string, string> metadata)
    {
        using var json = new MemoryStream();
        using (var writer = new Utf8JsonWriter(json))
        {
            writer.WriteStartObject();
            writer.WriteStartObject(MetadataKey);
            foreach (var (key, value) in metadata) writer.WriteString(key, value);
            writer.WriteEndObject();
            long offset = 0;
            foreach (var w in weights)
            {
                if (w.Values.LongLength != w.Shape.Aggregate(1L, (a, b) => a * b))
                    throw new ArgumentException($"{w.Name} has {w.Values.LongLength} values for shape [{string.Join(",", w.Shape)}]");
                long length = w.Values.LongLength * sizeof(float);
                writer.WriteStartObject(w.Name);
                writer.WriteString("dtype", "F32");
                writer.WriteStartArray("shape");
                foreach (var d in w.Shape) writer.WriteNumberValue(d);
                writer.WriteEndArray();
                writer.WriteStartArray("data_offsets");
                writer.WriteNumberValue(offset);
                writer.WriteNumberValue(offset + length);
                writer.WriteEndArray();
                writer.WriteEndObject();
                offset += length;
            }
            writer.WriteEndObject();
        }
        var header = json.ToArray();
        var padded = (header.Length + 7) / 8 * 8;
        var temporary = path + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        using (var output = new BinaryWriter(stream, Encoding.UTF8))
        {
            output.Write((ulong)padded); // BinaryWriter writes little-endian on every platform
            output.Write(header);
            for (var i = header.Length; i < padded; i++) output.Write((byte)' ');
            var buffer = new byte[sizeof(float)];
            foreach (var w in weights)
                foreach (var v in w.Values)
                {
                    BinaryPrimitives.WriteSingleLittleEndian(buffer, v);
                    output.Write(buffer);
                }
            output.Flush();
            stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
    }
}
