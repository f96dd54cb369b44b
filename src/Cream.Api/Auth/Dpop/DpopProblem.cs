namespace Cream.Api.Auth.Dpop;

/// <summary>Why a proof, or a token's binding to it, was refused: the RFC 9449 error code and a description a client can act on.</summary>
/// <param name="Error"><c>invalid_dpop_proof</c>, or <c>use_dpop_nonce</c> when only a (fresh) nonce is missing.</param>
/// <param name="Reason">A short machine-readable reason for logs and metrics.</param>
public sealed record DpopProblem(string Error, string Reason, string Description)
{
    public const string InvalidProof = "invalid_dpop_proof";
    public const string UseNonce = "use_dpop_nonce";

    public bool WantsNonce => Error == UseNonce;

    public static DpopProblem Invalid(string reason, string description) => new(InvalidProof, reason, description);
}

/// <summary>A refused proof, carried through the authentication handler to its challenge.</summary>
public sealed class DpopProofException(DpopProblem problem) : Exception(problem?.Description)
{
    public DpopProblem Problem { get; } = problem ?? throw new ArgumentNullException(nameof(problem));
}
