using Veil.Actors.Cluster.Nodes;

namespace Veil.Actors.Cluster.Coordination;

/// <summary>One cluster step's time, in seconds, as the coordinator's dispatcher sees it.</summary>
/// <param name="Dispatch">Planning the step and sending its assignments, trees and the one parameter broadcast.</param>
/// <param name="Nodes">The nodes' own account of the step's critical path, carried up with the root's sum.</param>
/// <param name="Wire">What the wait for the root's sum leaves unexplained by the nodes: messages and chunks in flight, hops up the tree.</param>
/// <param name="Coordinator">From the root's sum to the next step: accumulate, noise, ledger append, update, checkpoint.</param>
/// <param name="Total">From opening the step to opening the next.</param>
public sealed record StepTimes(double Dispatch, NodeTimes Nodes, double Wire, double Coordinator, double Total);
