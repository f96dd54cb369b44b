namespace Cream.Api.Common;

/// <summary>Authorization policies other features may put on their endpoints.</summary>
public static class AuthPolicies
{
    /// <summary>Requires a valid access token whose <c>roles</c> claim holds <see cref="Roles.Admin"/>.</summary>
    public const string Admin = "admin";
}

public static class Roles
{
    public const string Admin = "admin";
}
