using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace KEEP.MLNet.Layers;

/// <summary>
/// One task's MLP: hidden ReLU layers (paper: 512, 256, 128, 64) and a one-logit output. The output of the
/// last hidden layer is the task's share of K_ui.
/// </summary>
public sealed class TaskTower : nn.Module
{
    private readonly ModuleList<Linear> _hidden = new();
    private readonly Linear _output;

    /// <summary>Creates a tower over inputs of width <paramref name="input"/>.</summary>
    public TaskTower(int input, IReadOnlyList<int> hidden) : base(nameof(TaskTower))
    {
        foreach (int width in hidden)
        {
            _hidden.Add(nn.Linear(input, width));
            input = width;
        }
        _output = nn.Linear(input, 1);
        KnowledgeDim = input;
        RegisterComponents();
    }

    /// <summary>The hidden layers and the output layer.</summary>
    internal (IReadOnlyList<Linear> Hidden, Linear Output) Layers => ([.. _hidden], _output);

    /// <summary>Width of the last hidden layer (the knowledge this tower contributes).</summary>
    public int KnowledgeDim { get; }

    /// <summary>Returns the logit [B] and the last hidden layer [B, KnowledgeDim].</summary>
    public (Tensor Logit, Tensor Knowledge) Forward(Tensor x) => ForwardFrom(0, x);

    /// <summary>
    /// The tower from hidden layer <paramref name="first"/> on, given that layer's input <paramref name="x"/> (for
    /// <paramref name="first"/> = 1: the first layer's activations, e.g. computed for several towers in one product).
    /// </summary>
    public (Tensor Logit, Tensor Knowledge) ForwardFrom(int first, Tensor x)
    {
        // ReLU in place: a linear layer's backward needs its input and weight, not its output.
        for (int i = first; i < _hidden.Count; i++) x = _hidden[i].forward(x).relu_();
        return (_output.forward(x).squeeze(-1), x);
    }
}
