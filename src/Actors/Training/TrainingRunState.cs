using Veil.Actors.Configuration;
using Veil.Actors.PrivateRuns;
using Veil.Actors.Pipeline;
using Veil.Ledger.Plan;

namespace Veil.Actors.Training;

/// <summary>Everything a new or resumed run needs before its pipeline is wired: settings, the opened private run, plan, data, starting point.</summary>
internal sealed record TrainingRunState(TrainingSettings Training, CheckpointSettings Checkpoint, PrivateRun Private, DpPlan Plan, RunData Data,
    ParameterSnapshot Initial, OptimizerState Optimizer, long? ResumedFromStep, RunModels Models)
{
    public RunFolder Run => Private.Run;

    public string LedgerPath => Private.LedgerLocation;

    public RunSecrets Secrets => Private.Secrets;
}
