using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace KEEP.MLNet.Serving.Compression;

/// <summary>
/// The decomposition student (paper §4): K̂_u = f(K_u) and K̂_i = g(K_i), each a two-layer MLP over the
/// pre-trained model's own user and item embeddings, trained so that K̂_u ⊙ K̂_i ≈ K_ui. Both towers read
/// only what is cacheable per user or per item.
/// </summary>
public sealed class TwoTowerStudent : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Sequential _user;
    private readonly Sequential _item;

    /// <summary>Creates the towers.</summary>
    public TwoTowerStudent(int userDim, int itemDim, int hidden, int outputDim) : base(nameof(TwoTowerStudent))
    {
        _user = nn.Sequential(nn.Linear(userDim, hidden), nn.ReLU(), nn.Linear(hidden, outputDim));
        _item = nn.Sequential(nn.Linear(itemDim, hidden), nn.ReLU(), nn.Linear(hidden, outputDim));
        OutputDim = outputDim;
        RegisterComponents();
    }

    /// <summary>Width of K̂_u and K̂_i.</summary>
    public int OutputDim { get; }

    /// <summary>K̂_u for a block of K_u rows.</summary>
    public Tensor User(Tensor userKnowledge) => _user.forward(userKnowledge);

    /// <summary>K̂_i for a block of K_i rows.</summary>
    public Tensor Item(Tensor itemKnowledge) => _item.forward(itemKnowledge);

    /// <summary>K̂_u ⊙ K̂_i.</summary>
    public override Tensor forward(Tensor userKnowledge, Tensor itemKnowledge) => User(userKnowledge) * Item(itemKnowledge);
}
