// zod's common messages with the Chinese an office reads, the original kept beside it for precision.
// Used by the console (beside form fields) and the CLI (file:line:col errors).
/** The schema's common messages in Chinese beside the original (which stays for precision). */
const PHRASES: [RegExp, string][] = [
  [/^Too small: expected string to have >=1 characters?$/, '必填'],
  [/^Too small: expected array to have >=1 items?$/, '至少填写一项'],
  [/^Too big: expected string to have <=(\d+) characters?$/, '不超过$1个字'],
  [/^Invalid email address$/, '电子邮箱格式不正确'],
  [/^Invalid input: expected string, received undefined$/, '必填'],
  [/lower-case slug/, '须为小写字母、数字和连字符'],
  [/^must be an ISO date-time/, '日期格式不正确'],
  [/^Invalid (option|enum value)/, '请从列表中选择'],
  [/^Invalid input: expected \w+, received undefined$/, '必填'],
  [/^Invalid input: expected (\w+), received (\w+)$/, '类型不符'],
  [/^Unrecognized keys?/, '未知字段'],
  [/^must be a duration/, '时长格式不正确'],
  [/^must be a positive duration/, '须为正的时长（期限不能早于起算时间）'],
  [/^duplicate unit id/, '单位编号重复'],
  [/^Too (big|small): expected number/, '超出允许范围'],
  [/^Too big: expected array/, '项数过多'],
  [/^Too small: expected array/, '项数不足'],
];
export function inChinese(message: string): string {
  for (const [re, zh] of PHRASES) {
    const m = re.exec(message);
    if (m) return `${zh.replace(/\$(\d)/g, (_, n: string) => m[Number(n)] ?? '')}（${message}）`;
  }
  return message;
}
