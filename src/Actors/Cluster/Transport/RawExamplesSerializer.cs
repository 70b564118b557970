using Akka.Actor;
using Akka.Serialization;

namespace Veil.Actors.Cluster.Transport;

/// <summary>
/// Bound to every type that carries decoded training examples (MicroBatchData, GradientWorkerActor.Work):
/// serialising one, i.e. sending it to another node, fails. Raw examples never leave the node that
/// loaded them; only clipped sums do. Local messages are never serialised, so nothing else changes.
/// </summary>
public sealed class RawExamplesSerializer(ExtendedActorSystem system) : Serializer(system)
{
    public const int Id = 7302;

    public override int Identifier => Id;

    public override bool IncludeManifest => false;

    public override byte[] ToBinary(object obj) =>
        throw new RawExamplesMustStayLocalException(
            $"{obj.GetType().FullName} carries decoded training examples and may not leave this node: " +
            "raw examples stay where they are loaded, only clipped gradient sums travel (send a WorkDispatcherActor.ShardSum instead)");

    public override object FromBinary(byte[] bytes, Type type) =>
        throw new RawExamplesMustStayLocalException(
            $"refusing to deserialise {type?.FullName ?? "a message"} carrying raw training examples from another node");
}
