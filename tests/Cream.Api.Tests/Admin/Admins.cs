using Cream.Api.Common;
using Cream.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Cream.Api.Tests.Admin;

/// <summary>Arrangements for tests that need to know every admin of their database.</summary>
public static class Admins
{
    /// <summary>A new admin, and the only one: the admins earlier tests left behind stop counting.</summary>
    public static async Task<TestUser> OnlyAdminAsync(this CreamApiFactory factory)
    {
        await factory.DemoteEveryAdminAsync();
        return await factory.CreateAdminAsync();
    }

    /// <summary>Arrangement, straight in the database: nobody holds the admin role any more.</summary>
    public static Task<int> DemoteEveryAdminAsync(this CreamApiFactory factory) =>
        factory.WithDbAsync(db => db.Users.Where(u => u.Roles.Contains(Roles.Admin))
            .ExecuteUpdateAsync(set => set.SetProperty(u => u.Roles, new List<string>())));

    public static Task<List<Guid>> ActiveAdminsAsync(this CreamApiFactory factory) =>
        factory.WithDbAsync(db => db.Users.Where(u => u.IsActive && u.Roles.Contains(Roles.Admin)).Select(u => u.Id).ToListAsync());
}
