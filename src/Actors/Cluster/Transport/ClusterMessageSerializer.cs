using Akka.Actor;
using Akka.Serialization;

namespace Veil.Actors.Cluster.Transport;

/// <summary>Akka's serializer for the cluster messages (bound in <see cref="ClusterActorSystem"/>): the binary <see cref="ClusterWireFormat"/>.</summary>
public sealed class ClusterMessageSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    public const int Id = 7301;

    public override int Identifier => Id;

    public override byte[] ToBinary(object obj)
    {
        var bytes = ClusterWireFormat.Encode(obj).Bytes;
        WireBytes.CountSent(bytes.LongLength);
        return bytes;
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        WireBytes.CountReceived(bytes.LongLength);
        return ClusterWireFormat.Decode(manifest, bytes, this.system.Provider.ResolveActorRef);
    }

    public override string Manifest(object o) => ClusterWireFormat.ManifestOf(o);
}
