namespace Veil.Compute.Evaluation;

public sealed record EvaluationResult(int Examples, int Correct, double MeanLoss)
{
    public double Accuracy => Examples == 0 ? 0 : (double)Correct / Examples;
}
