-- check.lua DIR: exercises Lua 5.4 on the system under test and prints one
-- line per failed check, then a summary line
--   lua: N passed, M failed, checksum XXXXXXXX
-- The checksum is a 32-bit FNV-1a over a transcript of deterministic results
-- (string operations, table sorts, coroutine output, formatted floats,
-- integer arithmetic, file contents); user/test/sh/75_lua.sh compares the
-- whole line with the value the same script gives under qemu-riscv64-static
-- and under Linux. Files are made in DIR (a scratch directory) and removed.
-- Things that differ between runs (times, clocks, addresses) are checked
-- for sanity only and stay out of the transcript.

local dir = assert(arg[1], "usage: lua check.lua DIR")
local passed, failed = 0, 0
local transcript = {}

local function note(...)
	local parts = table.pack(...)
	for i = 1, parts.n do
		parts[i] = tostring(parts[i])
	end
	transcript[#transcript + 1] = table.concat(parts, " ")
end

local function check(desc, want, got)
	if want == got then
		passed = passed + 1
	else
		failed = failed + 1
		print(string.format("lua: FAIL: %s: expected [%s], got [%s]", desc, tostring(want), tostring(got)))
	end
end

local function ok(desc, cond)
	check(desc, true, not not cond)
end

-- Strings: patterns, formatting, packing, UTF-8.
do
	local s = "The quick brown fox jumps over the lazy dog"
	check("upper", "THE QUICK", s:sub(1, 9):upper())
	check("find", 17, (s:find("fox")))
	check("match", "jumps", s:match("(%a+) over"))
	local words = {}
	for w in s:gmatch("%a+") do
		words[#words + 1] = w
	end
	check("gmatch count", 9, #words)
	local r, n = s:gsub("o", "0")
	check("gsub count", 4, n)
	check("gsub result", "The quick br0wn f0x jumps 0ver the lazy d0g", r)
	check("gsub function", "3-5-5", ("abc hello world"):gsub("%a+", function(w) return #w end):gsub(" ", "-"))
	check("rep", "ab,ab,ab", ("ab"):rep(3, ","))
	check("byte/char", "ABC", string.char(("ABC"):byte(1, 3)))
	check("reverse", "god yzal", s:reverse():sub(1, 8))
	check("%q", '"a\\\nb\\0c"', string.format("%q", "a\nb\0c"))
	check("%5.2f", " 3.14", string.format("%5.2f", math.pi))
	check("%x", "ff", string.format("%x", 255))
	check("%e", "1.234568e+05", string.format("%e", 123456.789))
	check("%g", "1e+20", string.format("%g", 1e20))
	check("%.17g", "0.30000000000000004", string.format("%.17g", 0.1 + 0.2))
	check("%a", "0x1p+0", string.format("%a", 1.0))
	check("tostring float", "1e+100", tostring(1e100))
	check("tostring -0.0", "-0.0", tostring(-0.0))
	check("pack/unpack", 0x12345678, (string.unpack("<i4", string.pack("<i4", 0x12345678))))
	check("pack size", 14, #string.pack(">i2 d i4", 1, 2.5, 3))
	check("utf8.char", "h\u{e9}\u{20ac}", utf8.char(104, 233, 8364))
	check("utf8.len", 3, utf8.len("h\u{e9}\u{20ac}"))
	check("tonumber hex", 255, tonumber("0xff"))
	check("tonumber base", 35, tonumber("z", 36))
	check("tonumber bad", nil, tonumber("12abc"))
	note(r, s:lower(), string.format("%q", "\t\1\255"), string.format("%10.3s|%-6d|%+.3e", "abcdef", 42, -0.000123))
end

-- Tables: sort, concat, insert/remove/move, metatables.
do
	local t = {}
	local x = 12345
	for i = 1, 500 do
		x = (x * 1103515245 + 12345) % 2147483648
		t[i] = x % 10007
	end
	table.sort(t)
	local sorted = true
	for i = 2, #t do
		if t[i - 1] > t[i] then
			sorted = false
		end
	end
	ok("sort ascending", sorted)
	table.sort(t, function(a, b) return a > b end)
	ok("sort descending", t[1] >= t[2] and t[499] >= t[500])
	note(table.concat(t, ",", 1, 20))
	local l = { "a", "b", "c" }
	table.insert(l, 2, "x")
	table.insert(l, "z")
	check("insert", "a x b c z", table.concat(l, " "))
	check("remove", "x", table.remove(l, 2))
	check("remove last", "z", table.remove(l))
	check("move", "a b c a b c", table.concat(table.move(l, 1, 3, 4), " "))
	check("unpack", 6, select("#", table.unpack(l)))
	local counts = {}
	for _, v in ipairs({ "x", "y", "x", "z", "x", "y" }) do
		counts[v] = (counts[v] or 0) + 1
	end
	local keys = {}
	for k in pairs(counts) do
		keys[#keys + 1] = k
	end
	table.sort(keys)
	local out = {}
	for _, k in ipairs(keys) do
		out[#out + 1] = k .. "=" .. counts[k]
	end
	check("counting", "x=3 y=2 z=1", table.concat(out, " "))

	local Vec = {}
	Vec.__index = Vec
	Vec.__add = function(a, b) return setmetatable({ x = a.x + b.x, y = a.y + b.y }, Vec) end
	Vec.__eq = function(a, b) return a.x == b.x and a.y == b.y end
	Vec.__lt = function(a, b) return a:len2() < b:len2() end
	Vec.__tostring = function(v) return "(" .. v.x .. "," .. v.y .. ")" end
	Vec.__len = function() return 2 end
	function Vec.len2(v) return v.x * v.x + v.y * v.y end
	local function vec(x, y) return setmetatable({ x = x, y = y }, Vec) end
	local v = vec(1, 2) + vec(3, 4)
	check("__add/__tostring", "(4,6)", tostring(v))
	ok("__eq", v == vec(4, 6))
	ok("__lt", vec(1, 1) < v)
	check("__len", 2, #v)
	local log = {}
	local proxy = setmetatable({}, {
		__index = function(_, k) return k .. "!" end,
		__newindex = function(_, k, val) log[#log + 1] = k .. ":" .. tostring(val) end,
		__call = function(_, a, b) return a * b end,
	})
	check("__index", "key!", proxy.key)
	proxy.a = 1
	proxy.b = 2
	check("__newindex", "a:1 b:2", table.concat(log, " "))
	check("__call", 42, proxy(6, 7))
	local weak = setmetatable({}, { __mode = "k" })
	weak[{}] = true
	collectgarbage()
	check("weak table emptied", nil, next(weak))
end

-- Closures: counters with their own and shared upvalues.
do
	local function counter(step)
		local n = 0
		return function()
			n = n + step
			return n
		end
	end
	local c1, c2 = counter(1), counter(10)
	c1()
	c1()
	c2()
	check("counter 1", 3, c1())
	check("counter 2", 20, c2())
	local get, set
	do
		local shared = "first"
		get = function() return shared end
		set = function(v) shared = v end
	end
	set("second")
	check("shared upvalue", "second", get())
	local fns = {}
	for i = 1, 5 do
		fns[i] = function() return i * i end
	end
	check("loop closures", 16, fns[4]())
	local function compose(f, g) return function(...) return f(g(...)) end end
	local inc = function(n) return n + 1 end
	local dbl = function(n) return n * 2 end
	check("compose", 11, compose(inc, dbl)(5))
	local function memo_fib()
		local memo = {}
		local function fib(n)
			if n < 2 then return n end
			local v = memo[n]
			if not v then
				v = fib(n - 1) + fib(n - 2)
				memo[n] = v
			end
			return v
		end
		return fib
	end
	check("memoised fib(90)", 2880067194370816120, memo_fib()(90))
	note(c1(), c2(), fns[5](), memo_fib()(80))
end

-- Coroutines: generators, values through resume/yield, errors, wrap, close.
do
	local gen = coroutine.create(function(a, b)
		for _ = 1, 10 do
			a, b = b, a + b
			coroutine.yield(a)
		end
		return "done"
	end)
	local fibs = {}
	while true do
		local okr, v = coroutine.resume(gen, 0, 1)
		assert(okr, v)
		if coroutine.status(gen) == "dead" then
			check("generator return", "done", v)
			break
		end
		fibs[#fibs + 1] = v
	end
	check("generator values", "1 1 2 3 5 8 13 21 34 55", table.concat(fibs, " "))
	local echo = coroutine.wrap(function(x)
		while true do
			x = coroutine.yield(x * 2)
		end
	end)
	check("wrap 1", 2, echo(1))
	check("wrap 2", 14, echo(7))
	local bad = coroutine.create(function() error("inside", 0) end)
	local okr, msg = coroutine.resume(bad)
	check("error in coroutine", "false inside", tostring(okr) .. " " .. msg)
	check("dead after error", "dead", coroutine.status(bad))
	ok("main not yieldable", not coroutine.isyieldable())
	local co = coroutine.create(function() coroutine.yield() end)
	coroutine.resume(co)
	check("suspended", "suspended", coroutine.status(co))
	check("close", true, coroutine.close(co))
	-- Producer/consumer through two coroutines.
	local producer = coroutine.wrap(function()
		for w in ("alpha beta gamma delta"):gmatch("%a+") do
			coroutine.yield(w)
		end
		coroutine.yield(nil)
	end)
	local filter = coroutine.wrap(function()
		while true do
			local w = producer()
			if not w then
				coroutine.yield(nil)
				return
			end
			coroutine.yield(w:upper():sub(1, 3))
		end
	end)
	local got = {}
	for w in filter do
		got[#got + 1] = w
	end
	check("pipeline", "ALP BET GAM DEL", table.concat(got, " "))
	note(table.concat(fibs, ","), table.concat(got, ","))
end

-- Numbers: integers and floats, formatted floats.
do
	check("math.type int", "integer", math.type(3))
	check("math.type float", "float", math.type(3.0))
	check("int overflow wraps", math.mininteger, math.maxinteger + 1)
	check("floor division", -4, -7 // 2)
	check("modulo", 1, -7 % 2)
	check("float division by zero", math.huge, 1 / 0.0)
	ok("nan", (0 / 0.0) ~= (0 / 0.0))
	check("integer/float equality", true, 1 == 1.0)
	check("shift", 1024, 1 << 10)
	check("bitwise", 0x0f, 0xff & 0x0f)
	check("sqrt", "1.41421356", string.format("%.8f", math.sqrt(2)))
	check("tointeger", 7, math.tointeger(7.0))
	local acc = 0.0
	local fl = {}
	for i = 1, 200 do
		local v = math.sin(i) * math.exp(i / 100) + math.log(i) / math.cos(i / 7)
		acc = acc + v
		fl[#fl + 1] = string.format("%.10g", v)
	end
	note(table.concat(fl, " "))
	note(string.format("%.12f %.6e %g %.3f", acc, acc * 1e10, acc / 3, -acc))
	note(string.format("%.20g %.15g %.1f %.0f %.0f", 1 / 3, 2 ^ 0.5, 0.25, 0.5, 1.5))
	-- A sieve for a known count: 2262 primes below 20000.
	local composite = {}
	local primes = 0
	for i = 2, 19999 do
		if not composite[i] then
			primes = primes + 1
			for j = i * i, 19999, i do
				composite[j] = true
			end
		end
	end
	check("primes below 20000", 2262, primes)
end

-- pcall, error, xpcall.
do
	local okr, err = pcall(error, "plain", 0)
	check("pcall error", "false plain", tostring(okr) .. " " .. err)
	okr, err = pcall(function() error({ code = 42 }) end)
	check("error with a table", 42, type(err) == "table" and err.code)
	okr, err = pcall(function() error("where") end)
	ok("error position", not okr and err:find("check%.lua:%d+: where$"))
	okr, err = pcall(function() local t = nil; return t.field end)
	ok("runtime error message", not okr and err:find("attempt to index a nil value"))
	okr, err = pcall(function() return 1 + {} end)
	ok("arith error", not okr and err:find("attempt to perform arithmetic"))
	local okx, tb = xpcall(function() error("deep") end, function(m) return "handled: " .. m end)
	ok("xpcall handler", not okx and tb:find("^handled: .*deep$"))
	check("pcall success", "true 1 2", table.concat({ tostring(pcall(function() return 1, 2 end)) }, " ")
		.. " " .. select(2, pcall(function() return 1, 2 end)) .. " " .. select(3, pcall(function() return 1, 2 end)))
	local closed = {}
	do
		local okc = pcall(function()
			local h <close> = setmetatable({}, { __close = function() closed[#closed + 1] = "closed" end })
			error("with close")
		end)
		check("to-be-closed on error", "false closed", tostring(okc) .. " " .. table.concat(closed))
	end
	local depth = 0
	local function recurse() depth = depth + 1; return recurse() + 1 end
	okr, err = pcall(recurse)
	ok("stack overflow caught", not okr and err:find("stack overflow") and depth > 1000)
	note(err:match("stack overflow") or "")
end

-- Files: write, append, read back in several ways, seek, rename, remove.
do
	local path = dir .. "/data.txt"
	local f = assert(io.open(path, "w"))
	for i = 1, 1000 do
		f:write(string.format("%04d %s %.3f\n", i, ("x"):rep(i % 13), i / 7))
	end
	check("close after write", true, f:close())
	f = assert(io.open(path, "a"))
	f:write("tail ", 3.5, " ", 42, "\n")
	f:close()
	local n, sum, last = 0, 0, nil
	for line in io.lines(path) do
		n = n + 1
		local num = line:match("^(%d+) ")
		if num then
			sum = sum + tonumber(num)
		end
		last = line
	end
	check("lines", 1001, n)
	check("sum of numbers", 500500, sum)
	check("appended line", "tail 3.5 42", last)
	f = assert(io.open(path, "r"))
	local size = f:seek("end")
	f:seek("set", 0)
	local all = f:read("a")
	check("size from seek", #all, size)
	f:seek("set", 5)
	check("read after seek", "x", f:read(1))
	f:seek("set", 0)
	check("read a number", 1, f:read("n"))
	check("read rest of line", " x 0.143", f:read("l"))
	f:close()
	note(#all, all:sub(-40))
	local h = 0
	for i = 1, #all, 97 do
		h = (h * 31 + all:byte(i)) & 0xffffffff
	end
	note(h)
	local bin = dir .. "/bin.dat"
	f = assert(io.open(bin, "wb"))
	local bytes = {}
	for i = 0, 255 do
		bytes[#bytes + 1] = string.char(i)
	end
	f:write(table.concat(bytes):rep(64))
	f:close()
	f = assert(io.open(bin, "rb"))
	local data = f:read("a")
	f:close()
	check("binary size", 16384, #data)
	check("binary content", "\0\1\2\255", data:sub(1, 3) .. data:sub(256, 256))
	local moved = dir .. "/moved.dat"
	ok("rename", os.rename(bin, moved))
	check("old name gone", nil, io.open(bin, "r"))
	local _, err = io.open(dir .. "/missing/file", "r")
	ok("open error message", err and err:find("No such file or directory"))
	ok("remove", os.remove(moved))
	ok("remove data", os.remove(path))
	check("remove again fails", nil, (os.remove(path)))
	-- A file opened for update: overwrite in the middle.
	f = assert(io.open(path, "w+"))
	f:write("0123456789")
	f:seek("set", 3)
	f:write("abc")
	f:seek("set", 0)
	check("w+ update", "012abc6789", f:read("a"))
	f:close()
	os.remove(path)
	local tmp = os.tmpname()
	ok("tmpname exists", io.open(tmp, "r"))
	os.remove(tmp)
end

-- Processes and the environment.
do
	local p = io.popen("echo popen-$((6 * 7))")
	check("popen", "popen-42", p:read("l"))
	check("popen close", true, p:close())
	local okr, how, code = os.execute("exit 3")
	check("execute status", "nil exit 3", tostring(okr) .. " " .. how .. " " .. code)
	check("getenv missing", nil, os.getenv("WEFT_NO_SUCH_VARIABLE"))
end

-- Time: os.time, os.date, os.clock, os.difftime.
do
	local now = os.time()
	ok("os.time after 2020", now > 1577836800)
	check("os.date UTC", "1971-01-02 03:04:05", os.date("!%Y-%m-%d %H:%M:%S", 86400 * 366 + 3 * 3600 + 4 * 60 + 5))
	check("os.time of a UTC table", 951782400, os.time({ year = 2000, month = 2, day = 29, hour = 0 })
		- (os.time({ year = 1970, month = 1, day = 1, hour = 0 })))
	check("difftime", 60.0, os.difftime(now + 60, now))
	local d = os.date("*t", now)
	ok("os.date table", d.year >= 2020 and d.month >= 1 and d.month <= 12)
	local c0 = os.clock()
	local x = 0
	for i = 1, 300000 do
		x = x + i % 7
	end
	local c1 = os.clock()
	ok("os.clock advances", c1 > c0 and c0 >= 0)
	ok("os.clock plausible", c1 - c0 < 60)
	check("busy loop result", 899998, x)
end

-- Garbage collection: memory comes back after a burst of garbage.
do
	collectgarbage()
	local before = collectgarbage("count")
	local keep = {}
	for i = 1, 20000 do
		keep[i] = { i, tostring(i), ("y"):rep(i % 50) }
	end
	local peak = collectgarbage("count")
	keep = nil
	collectgarbage()
	local after = collectgarbage("count")
	ok("gc grew", peak > before + 1000)
	ok("gc freed", after < peak / 2)
end

-- The checksum: 32-bit FNV-1a over the transcript.
local text = table.concat(transcript, "\n")
local hash = 0x811c9dc5
for i = 1, #text do
	hash = ((hash ~ text:byte(i)) * 16777619) & 0xffffffff
end
print(string.format("lua: %d passed, %d failed, checksum %08x", passed, failed, hash))
os.exit(failed == 0 and 0 or 1)
