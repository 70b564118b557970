using System.Text.Json.Serialization;
using Veil.Actors.Configuration;
using Veil.Actors.PrivateRuns;
using Veil.Ledger.Plan;

namespace Veil.Actors.Training;

/// <summary>
/// plan.json of a DP-SGD run: the frozen plan (in its one serialisation, under "plan") and, for a reader, what the
/// run trains on and with. Never a key or a password: the ledger is named as the lifecycle describes it. A user-level run's
/// scope holds ScopeExamples examples and ScopeUsers users.
/// </summary>
public sealed record TrainingPlanFile(
    [property: JsonPropertyName("run_id")] string RunId,
    [property: JsonPropertyName("plan")] DpPlan Plan,
    [property: JsonPropertyName("dataset")] string Dataset,
    [property: JsonPropertyName("data_scope")] string DataScope,
    [property: JsonPropertyName("scope_examples")] int ScopeExamples,
    [property: JsonPropertyName("insecure_private_randomness")] bool InsecurePrivateRandomness,
    [property: JsonPropertyName("accountant")] string Accountant,
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("weight_standardisation")] bool WeightStandardisation,
    [property: JsonPropertyName("classes")] int Classes,
    [property: JsonPropertyName("backbone")] string? Backbone,
    [property: JsonPropertyName("init_from")] string InitFrom,
    [property: JsonPropertyName("trainable")] string Trainable,
    [property: JsonPropertyName("public_split")] string PublicSplit,
    [property: JsonPropertyName("learning_rate")] double LearningRate,
    [property: JsonPropertyName("momentum")] double Momentum,
    [property: JsonPropertyName("schedule")] string Schedule,
    [property: JsonPropertyName("ledger")] string Ledger,
    [property: JsonPropertyName("scope_users")] int ScopeUsers = 0)
{
    public const string FileName = "plan.json";

    [JsonPropertyName("mode")]
    public string Mode => "dp-sgd";

    public static TrainingPlanFile Of(string runId, DpPlan plan, OpenedRun opened, TrainingSettings t, RunData train, RunModels models) => new(
        runId, plan, train.Description, opened.ScopeKey, opened.ScopeExamples, opened.Insecure, opened.Accountant,
        t.Model, t.WeightStandardisation, models.Classes, models.BackboneFingerprint, t.Initialisation.From, t.Initialisation.Trainable,
        t.PublicSplit.Split, t.LearningRate, t.Momentum, ConfigChoice.Word(t.Schedule, TrainingSettings.Schedules), opened.Ledger, opened.ScopeUsers);
}
