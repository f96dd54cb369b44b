using System.Collections;
using System.Linq.Expressions;
using System.Reflection;
using Microsoft.IdentityModel.Tokens;

namespace Cream.Api.Auth.Tokens;

/// <summary>
/// Whether two <see cref="TokenValidationParameters"/> would validate alike: every public
/// property is compared (references, values, or the items of a collection), found by
/// reflection once and compiled, so a property that a library update adds takes part without
/// anyone listing it. The bearer scheme hands each request a clone of Cream's parameters;
/// only a clone that is still equivalent may be answered from the validated-token cache.
/// </summary>
internal static class ValidationParametersComparer
{
    /// <summary>Bookkeeping that differs between a set and its clone and decides nothing.</summary>
    internal static readonly string[] Ignored =
    [
        nameof(TokenValidationParameters.IsClone),
        nameof(TokenValidationParameters.InstancePropertyBag), // per-instance scratch space
        nameof(TokenValidationParameters.DebugId),
    ];

    private static readonly Func<TokenValidationParameters, TokenValidationParameters, bool> Compare = Build();

    public static bool Equivalent(TokenValidationParameters candidate, TokenValidationParameters reference) =>
        ReferenceEquals(candidate, reference) || Compare(candidate, reference);

    /// <summary>The properties that take part, for the tests that check nothing escapes.</summary>
    internal static IEnumerable<PropertyInfo> ComparedProperties() =>
        typeof(TokenValidationParameters).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(property => property.CanRead && property.GetIndexParameters().Length == 0 && !Ignored.Contains(property.Name));

    private static Func<TokenValidationParameters, TokenValidationParameters, bool> Build()
    {
        var left = Expression.Parameter(typeof(TokenValidationParameters), "left");
        var right = Expression.Parameter(typeof(TokenValidationParameters), "right");
        Expression all = Expression.Constant(true);
        foreach (var property in ComparedProperties())
        {
            Expression a = Expression.Property(left, property);
            Expression b = Expression.Property(right, property);
            Expression same;
            if (property.PropertyType.IsValueType)
            {
                var comparer = typeof(EqualityComparer<>).MakeGenericType(property.PropertyType);
                same = Expression.Call(Expression.Property(null, comparer, nameof(EqualityComparer<int>.Default)),
                    comparer.GetMethod(nameof(EqualityComparer<int>.Equals), [property.PropertyType, property.PropertyType])!, a, b);
            }
            else if (typeof(IEnumerable).IsAssignableFrom(property.PropertyType) && property.PropertyType != typeof(string))
            {
                same = Expression.Call(typeof(ValidationParametersComparer).GetMethod(nameof(SameItems), BindingFlags.NonPublic | BindingFlags.Static)!,
                    Expression.Convert(a, typeof(IEnumerable)), Expression.Convert(b, typeof(IEnumerable)));
            }
            else
            {
                same = Expression.ReferenceEqual(a, b);
            }

            all = Expression.AndAlso(all, same);
        }

        return Expression.Lambda<Func<TokenValidationParameters, TokenValidationParameters, bool>>(all, left, right).Compile();
    }

    private static bool SameItems(IEnumerable? a, IEnumerable? b)
    {
        if (ReferenceEquals(a, b))
        {
            return true;
        }

        if (a is null || b is null)
        {
            return false;
        }

        // A clone copies ValidAlgorithms into a list of its own: compared item by item without
        // allocating, as this runs on every bearer request.
        if (a is IList listA && b is IList listB)
        {
            if (listA.Count != listB.Count)
            {
                return false;
            }

            for (var i = 0; i < listA.Count; i++)
            {
                if (!Equals(listA[i], listB[i]))
                {
                    return false;
                }
            }

            return true;
        }

        return a.Cast<object?>().SequenceEqual(b.Cast<object?>());
    }
}
