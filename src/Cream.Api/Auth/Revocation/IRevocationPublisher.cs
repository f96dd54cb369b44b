namespace Cream.Api.Auth.Revocation;

/// <summary>Tells the other instances about a revocation this one has already applied.</summary>
public interface IRevocationPublisher
{
    Task PublishAsync(RevocationEvent change);
}

/// <summary>One instance, nothing to tell.</summary>
internal sealed class InProcessRevocationPublisher : IRevocationPublisher
{
    public Task PublishAsync(RevocationEvent change) => Task.CompletedTask;
}
