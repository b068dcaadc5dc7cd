"""Exact messages for every construct the zigts subset rejects (upstream §3.2/§3.3).

The parser reports these at the construct's position; the part after "; " is
the suggested alternative. Keep messages byte-for-byte identical to upstream:
conformance suites match them verbatim.
"""

from __future__ import annotations

from zigttp.compiler import diagnostics as codes

_ASYNC_TAIL = "handlers run synchronously - use 'fetchSync', or 'parallel'/'race' from zigttp:io for concurrency"

# Stripper rejections (type syntax).
ANY = (
    codes.ANY_TYPE,
    "'any' type is not supported; use specific types (string, number, object) or union types instead",
)
AS = (codes.AS_ASSERTION, "'as' type assertion is not supported; use type-safe patterns instead")
SATISFIES = (
    codes.SATISFIES_ASSERTION,
    "'satisfies' type assertion is not supported; use type-safe patterns instead",
)
ANGLE_ASSERTION = (
    codes.AS_ASSERTION,
    "angle-bracket type assertion '<T>expr' is not supported; use type-safe patterns instead",
)

# Parser rejections.
WHILE = (codes.UNSUPPORTED_FEATURE, "'while' is not supported; use 'for-of' with a finite collection instead")
DO_WHILE = (
    codes.UNSUPPORTED_FEATURE,
    "'do-while' is not supported; use 'for-of' with a finite collection instead",
)
C_FOR = (
    codes.UNSUPPORTED_FEATURE,
    "C-style 'for' loops are not supported; use 'for (let x of array)' or 'for (let i of range(n))' instead",
)
FOR_IN = (codes.UNSUPPORTED_FEATURE, "'for-in' is not supported; use 'for-of' to iterate over values instead")
THROW = (codes.UNSUPPORTED_FEATURE, "'throw' is not supported; use Result types for error handling")
TRY = (codes.UNSUPPORTED_FEATURE, "'try/catch' is not supported; use Result types for error handling")
SWITCH = (codes.UNSUPPORTED_FEATURE, "'switch' is not supported; use 'match' expression instead")
CLASS = (codes.UNSUPPORTED_FEATURE, "'class' is not supported; use plain objects and functions instead")
ENUM = (
    codes.UNSUPPORTED_FEATURE,
    "'enum' is not supported; use object literals or discriminated unions instead",
)
CONST_ENUM = (
    codes.UNSUPPORTED_FEATURE,
    "'const enum' is not supported; use object literals or discriminated unions instead",
)
IMPLEMENTS = (
    codes.UNSUPPORTED_FEATURE,
    "'implements' is not supported; use duck typing or runtime checks instead",
)
ACCESS_MODIFIER = (
    codes.UNSUPPORTED_FEATURE,
    "access modifiers are not supported; use naming conventions (e.g., _private) instead",
)
DECORATOR = (
    codes.UNSUPPORTED_FEATURE,
    "'@decorator' syntax is not supported; use function composition instead",
)
NAMESPACE = (codes.UNSUPPORTED_FEATURE, "'namespace' is not supported; use ES6 modules instead")
VAR = (codes.UNSUPPORTED_FEATURE, "'var' is not supported; use 'let' or 'const' instead")
LABELED_BREAK = (codes.UNSUPPORTED_FEATURE, "'labeled break' is not supported; use a conditional instead")
LABELED_CONTINUE = (
    codes.UNSUPPORTED_FEATURE,
    "'labeled continue' is not supported; use a conditional instead",
)
NULL = (codes.UNSUPPORTED_FEATURE, "'null' is not supported; use 'undefined' for absent values instead")
REGEX = (codes.UNSUPPORTED_FEATURE, "regular expressions are not supported; use string methods instead")
THIS = (codes.UNSUPPORTED_FEATURE, "'this' is not supported; pass context explicitly as a parameter")
SUPER = (codes.UNSUPPORTED_FEATURE, "'super' is not supported; use explicit function calls instead")
NEW = (codes.UNSUPPORTED_FEATURE, "'new' is not supported; use factory functions instead")
FUNCTION_EXPRESSION = (
    codes.UNSUPPORTED_FEATURE,
    "function expressions are not supported; use arrow functions '(x) => x * 2' or function declarations "
    "'function name() { }' instead",
)
YIELD = (codes.UNSUPPORTED_FEATURE, "'yield' is not supported; generators are not available")
DELETE = (codes.UNSUPPORTED_FEATURE, "'delete' is not supported; use object spread to omit properties")
PRE_INCREMENT = (codes.UNSUPPORTED_FEATURE, "'++x' is not supported; use 'x = x + 1' instead")
PRE_DECREMENT = (codes.UNSUPPORTED_FEATURE, "'--x' is not supported; use 'x = x - 1' instead")
POST_INCREMENT = (codes.UNSUPPORTED_FEATURE, "'x++' is not supported; use 'x = x + 1' instead")
POST_DECREMENT = (codes.UNSUPPORTED_FEATURE, "'x--' is not supported; use 'x = x - 1' instead")
LOOSE_EQUALS = (codes.UNSUPPORTED_FEATURE, "'==' is not supported; use '===' for strict equality instead")
LOOSE_NOT_EQUALS = (
    codes.UNSUPPORTED_FEATURE,
    "'!=' is not supported; use '!==' for strict inequality instead",
)
INSTANCEOF = (
    codes.UNSUPPORTED_FEATURE,
    "'instanceof' is not supported; use discriminated unions with tag property instead",
)
LOGICAL_ASSIGNMENT = {
    "&&=": (codes.UNSUPPORTED_FEATURE, "'&&=' is not supported; use 'x = x && value' instead"),
    "||=": (codes.UNSUPPORTED_FEATURE, "'||=' is not supported; use 'x = x || value' instead"),
    "??=": (codes.UNSUPPORTED_FEATURE, "'??=' is not supported; use 'x = x ?? value' instead"),
}
OBJECT_MEMBERS = {
    "assign": (
        codes.UNSUPPORTED_FEATURE,
        "'Object.assign' is not supported; use object spread {...obj1, ...obj2} instead",
    ),
    "freeze": (codes.UNSUPPORTED_FEATURE, "'Object.freeze' is not supported; objects are mutable by design"),
    "isFrozen": (
        codes.UNSUPPORTED_FEATURE,
        "'Object.isFrozen' is not supported; objects are mutable by design",
    ),
}
FORBIDDEN_IDENTIFIERS = {
    "Promise": (
        codes.UNSUPPORTED_FEATURE,
        "'Promise' is not supported; use Result types or callbacks instead",
    ),
    "RegExp": (codes.UNSUPPORTED_FEATURE, "'RegExp' is not supported; use string methods instead"),
}
ASYNC = (codes.UNSUPPORTED_FEATURE, f"'async' functions are not supported; {_ASYNC_TAIL}")
AWAIT = (codes.INVALID_AWAIT, f"'await' is not supported; {_ASYNC_TAIL}")
OBJECT_REST = (
    codes.UNSUPPORTED_FEATURE,
    "rest element in object destructuring is not supported; bind the remaining properties explicitly instead",
)
ARRAY_REST = (
    codes.UNSUPPORTED_FEATURE,
    "rest element in array destructuring is not supported; index the remaining elements explicitly instead",
)
REST_PARAMETER = (
    codes.UNSUPPORTED_FEATURE,
    "rest parameters ('...args') are not supported; accept an explicit array parameter instead",
)
DESTRUCTURED_PARAMETER = (
    codes.UNSUPPORTED_FEATURE,
    "destructured parameters are not supported; destructure inside the body instead",
)
ARRAY_ELISION = (
    codes.UNSUPPORTED_FEATURE,
    "array elisions are not supported; use explicit undefined values instead",
)
UNARY_BEFORE_EXPONENT = (
    codes.UNSUPPORTED_FEATURE,
    "unary operator before '**' requires parentheses: (-3)**2 or -(3**2)",
)
DEFAULT_IMPORT = (
    codes.UNEXPECTED_TOKEN,
    "'import X from' default imports are not supported; use named imports: import { x } from \"module\"",
)
NAMESPACE_IMPORT = (
    codes.UNSUPPORTED_FEATURE,
    "'import * as X' namespace imports are not supported; use named imports: import { x } from \"module\"",
)
SIDE_EFFECT_IMPORT = (
    codes.UNSUPPORTED_FEATURE,
    '\'import "module"\' side-effect imports are not supported; use named imports: import { x } from "module"',
)
RE_EXPORT = (
    codes.UNSUPPORTED_FEATURE,
    "'export { }' re-exports are not supported; use named exports: export function handler() {}",
)
EXPORT_STAR = (
    codes.UNSUPPORTED_FEATURE,
    "'export *' is not supported; use named exports: export function handler() {}",
)
EXPORT_DEFAULT_NAMED = (codes.UNSUPPORTED_FEATURE, "'export default' must be followed by a named function")
EXPORT_OTHER = (codes.UNSUPPORTED_FEATURE, "'export' must be followed by 'function', 'const', or 'let'")
DUPLICATE_IMPORT = (codes.DUPLICATE_BINDING, "duplicate import binding")

# Front-end additions (constructs the engine cannot run; not in the upstream table).
BIGINT = (codes.UNSUPPORTED_FEATURE, "BigInt literals are not supported; use numbers instead")
DYNAMIC_IMPORT = (
    codes.UNSUPPORTED_FEATURE,
    "dynamic 'import()' is not supported; use named imports: import { x } from \"module\"",
)
WITH = (codes.UNSUPPORTED_FEATURE, "'with' is not supported; access properties explicitly instead")
GENERATOR = YIELD

# Structural errors.
RETURN_OUTSIDE = (codes.INVALID_RETURN, "'return' outside of function")
BREAK_OUTSIDE = (codes.INVALID_BREAK, "'break' outside of loop")
CONTINUE_OUTSIDE = (codes.INVALID_CONTINUE, "'continue' outside of loop")
MATCH_NO_ARMS = (codes.UNEXPECTED_TOKEN, "match expression must have at least one arm")
MATCH_EXPECTED_ARM = (codes.EXPECTED_TOKEN, "expected 'when' or 'default'")
MATCH_EXPECTED_PATTERN = (
    codes.EXPECTED_EXPRESSION,
    "expected pattern (literal, object, array, or '_' wildcard)",
)
MATCH_TOO_MANY_ARMS = (codes.UNEXPECTED_TOKEN, "too many match arms; limit is 255")
MATCH_TOO_MANY_PROPERTIES = (codes.UNEXPECTED_TOKEN, "too many match-pattern properties; limit is 255")
PIPE_NO_ARGUMENTS = (codes.UNSUPPORTED_FEATURE, "pipe() requires at least one function argument")
GUARD_NO_HANDLER = (codes.UNSUPPORTED_FEATURE, "guard composition requires a handler function")
GUARD_TWO_HANDLERS = (codes.UNSUPPORTED_FEATURE, "guard composition allows exactly one handler")
GUARD_ARITY = (codes.UNSUPPORTED_FEATURE, "guard() takes exactly one function argument")
COMPTIME_ARITY = (codes.COMPTIME_ERROR, "comptime() takes exactly one expression")
STATEMENT_NESTING = (
    codes.NESTING_TOO_DEEP,
    "statements nest too deeply; simplify or split (nesting limit is 512)",
)
EXPRESSION_NESTING = (
    codes.NESTING_TOO_DEEP,
    "expression nests too deeply; simplify or split it (nesting limit is 512)",
)
CONST_WITHOUT_INIT = (codes.CONST_WITHOUT_INITIALIZER, "const declarations must have an initializer")
TOO_MANY_PARAMETERS = (codes.TOO_MANY_PARAMETERS, "too many parameters")
MISMATCHED_JSX = (codes.MISMATCHED_JSX_TAG, "mismatched JSX closing tag")
ASSERT_VALUE_OUTSIDE = (
    codes.INVALID_RETURN,
    "'assert cond, value' returns from the enclosing function; use it inside a function",
)
TYPES_IN_JS = (
    codes.UNEXPECTED_TOKEN,
    "type syntax is only allowed in .ts and .tsx files; remove it or rename the file to .ts",
)
JSX_IN_NON_JSX = (
    codes.UNEXPECTED_TOKEN,
    "JSX is only allowed in .jsx and .tsx files; rename the file to .tsx",
)
IMPORT_NOT_TOP_LEVEL = (
    codes.INVALID_IMPORT,
    "import declarations may only appear at the top level of a module",
)
EXPORT_NOT_TOP_LEVEL = (
    codes.INVALID_EXPORT,
    "export declarations may only appear at the top level of a module",
)
INVALID_ASSIGNMENT = (codes.INVALID_ASSIGNMENT_TARGET, "invalid assignment target")
