namespace Cream.Api.Users;

public static class UsersExtensions
{
    /// <summary>The admin's use cases on other accounts.</summary>
    public static IHostApplicationBuilder AddUsers(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddScoped<UserAdministration>();
        return builder;
    }
}
