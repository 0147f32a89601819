// Package synth writes synthetic interviews, in English and Chinese, for the
// demo vault, tests and benchmarks. Every person, place and event in them is
// invented.
package synth

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/tvault/tvault/vault"
)

var (
	pseudonymsEN = []string{"Lin Qiao", "River", "Sparrow", "Old Tan", "Teacher K", "Mulan", "Stone", "Harbour", "Cloud", "Ferry"}
	pseudonymsZH = []string{"小河", "青松", "白鹭", "老周", "晨光", "远山", "春燕", "石榴", "海棠", "明月"}
	places       = []string{"Vancouver, Canada", "Toronto, Canada", "Melbourne, Australia", "Paris, France", "Berlin, Germany", "London, UK", "New York, USA", "Taipei", "Auckland, New Zealand", "Amsterdam, Netherlands"}
	relations    = []string{"mother", "father", "sister", "brother", "wife", "husband", "son", "daughter", "uncle", "cousin"}
	harms        = []string{"summoned", "threatened", "exit-ban", "fired", "asset-freeze", "detained", "interrogated", "passport-confiscated"}
	fakeNames    = []string{"Wen Jiahui", "Zhou Mingyu", "Lu Xiaofeng", "Gao Shuang", "Fang Lirong", "Deng Haoran", "Xu Peilin", "Cao Yunfei"}
	fakeNamesZH  = []string{"温佳慧", "周明宇", "陆晓峰", "高爽", "方丽蓉", "邓浩然", "徐佩琳", "曹云飞"}
	provinces    = []string{"Jiangxi", "Hunan", "Fujian", "Anhui", "Sichuan", "Hubei"}
	provincesZH  = []string{"江西", "湖南", "福建", "安徽", "四川", "湖北"}

	sentencesEN = []string{
		"Officers from the local public security bureau came to my parents' home twice a week.",
		"They told my mother that her pension would be stopped unless I came back.",
		"My sister was called to the police station and questioned for six hours about my work abroad.",
		"The school where my brother teaches was told that he would lose his post.",
		"When my father tried to renew his passport, the office said his name was on a list.",
		"A man who said he was from the neighbourhood committee filmed our front door every evening.",
		"They froze the bank account that my parents used to send me money for university.",
		"My cousin was asked to persuade me to return and report my address to the police.",
		"I received messages from unknown accounts with photographs of my family's house.",
		"The officers said that if I returned quietly, nothing would happen to anyone.",
		"My mother cried on the phone and said she could not sleep any more.",
		"After I spoke at a public event, the visits to my family became more frequent.",
		"My husband's employer received a letter asking about our travel history.",
		"A relative was prevented from boarding a flight to visit us for the new year.",
		"They asked my father to sign a statement that I was a criminal.",
	}
	sentencesZH = []string{
		"当地公安局的警察每周两次到我父母家里来。",
		"他们告诉我母亲，如果我不回国，她的退休金就会被停发。",
		"我姐姐被叫到派出所，关于我在国外的工作被问了六个小时。",
		"我弟弟任教的学校被告知他会失去工作。",
		"我父亲去办护照的时候，办事员说他的名字在一个名单上。",
		"一个自称是居委会的人每天晚上都拍我们家的大门。",
		"他们冻结了我父母给我寄学费用的银行账户。",
		"我表哥被要求劝我回国，并向警察报告我的地址。",
		"我收到陌生账号发来的信息，里面有我家房子的照片。",
		"警察说只要我安静地回去，谁都不会有事。",
		"我母亲在电话里哭着说她再也睡不着觉了。",
		"我在一次公开活动上发言之后，他们去我家的次数更多了。",
		"我丈夫的单位收到一封信，询问我们的出行记录。",
		"一位亲戚春节前来看我们，却在机场被拦下不许登机。",
		"他们要我父亲签一份声明，说我是罪犯。",
	}
)

// RareEN and RareZH are phrases found in about one interview in a hundred
// (of the English and the Chinese ones), for benchmarks of searches with few
// hits.
const (
	RareEN = "yellow paper"
	RareZH = "黄色的传唤"
)

var (
	rareSentenceEN = "The officer handed my father a summons printed on yellow paper."
	rareSentenceZH = "派出所的警官给了我父亲一张黄色的传唤通知书。"
)

// Interview returns synthetic interview number i, about size bytes of
// testimony, in English when i is even and Chinese when it is odd. The same
// seed and i give the same interview.
func Interview(seed uint64, i int, size int) vault.Input {
	r := rand.New(rand.NewPCG(seed, uint64(i)))
	zh := i%2 == 1
	pick := func(list []string) string { return list[r.IntN(len(list))] }

	in := vault.Input{}
	in.Pseudonym = pick(pseudonymsEN)
	in.Language = "en"
	sentences := sentencesEN
	prov, name := pick(provinces), pick(fakeNames)
	if zh {
		in.Pseudonym = pick(pseudonymsZH)
		in.Language = "zh"
		sentences = sentencesZH
		prov, name = pick(provincesZH), pick(fakeNamesZH)
	}
	in.Pseudonym = fmt.Sprintf("%s %d", in.Pseudonym, i+1)
	in.InterviewedOn = fmt.Sprintf("20%02d-%02d-%02d", 17+r.IntN(9), 1+r.IntN(12), 1+r.IntN(28))
	in.Location = pick(places)
	in.Mode = pick([]string{"in-person", "phone", "video"})
	in.Interviewer = fmt.Sprintf("R%d", 1+r.IntN(4))
	in.AnonymityRequested = r.IntN(4) != 0
	in.Consent = vault.Consent{Record: true, Quote: r.IntN(3) != 0, Share: r.IntN(2) == 0}
	for range 1 + r.IntN(3) {
		in.Tags = append(in.Tags, pick(vault.DefaultCodebook[:10]))
	}
	for range 1 + r.IntN(2) {
		in.Relatives = append(in.Relatives, vault.Relative{
			Relation: pick(relations),
			Harms:    []string{pick(harms), pick(harms)},
		})
	}

	var b strings.Builder
	if zh {
		fmt.Fprintf(&b, "我家在{{%s|老家的省份}}。", prov)
	} else {
		fmt.Fprintf(&b, "My family lives in {{%s|the home province}}. ", prov)
	}
	if r.IntN(100) == 0 {
		if zh {
			b.WriteString(rareSentenceZH)
		} else {
			b.WriteString(rareSentenceEN + " ")
		}
	}
	for b.Len() < size {
		b.WriteString(pick(sentences))
		if !zh {
			b.WriteByte(' ')
		}
	}
	in.Testimony = strings.TrimSpace(b.String())
	in.Identity = &vault.Identity{
		Name:      name,
		Aliases:   []string{string([]rune(name)[:2])},
		Contact:   fmt.Sprintf("+1 555 01%02d %04d", r.IntN(100), r.IntN(10000)),
		Relatives: []vault.RelativeByName{{Relation: in.Relatives[0].Relation, Name: pick(fakeNames)}},
		Notes:     "Synthetic test person; not a real individual.",
	}
	return in
}

// Interviews returns n synthetic interviews.
func Interviews(seed uint64, n, size int) []vault.Input {
	out := make([]vault.Input, n)
	for i := range out {
		out[i] = Interview(seed, i, size)
	}
	return out
}
